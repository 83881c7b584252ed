using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Files;

/// <summary>The media types a fulfilled request may carry, with the extension each is stored under.</summary>
public static class MediaTypes
{
    private static readonly (string Ext, string Mime)[] Known =
    [
        (".png", "image/png"), (".jpg", "image/jpeg"), (".jpeg", "image/jpeg"), (".webp", "image/webp"),
        (".gif", "image/gif"), (".svg", "image/svg+xml"), (".avif", "image/avif"),
        (".mp4", "video/mp4"), (".webm", "video/webm"), (".mov", "video/quicktime"),
        (".mp3", "audio/mpeg"), (".wav", "audio/wav"), (".ogg", "audio/ogg"), (".m4a", "audio/mp4"), (".flac", "audio/flac"),
    ];

    public static string DefaultExtension(string surface) => surface switch
    {
        MediaSurfaces.Video => ".mp4",
        MediaSurfaces.Audio => ".mp3",
        _ => ".png",
    };

    public static string? MimeOf(string fileName)
    {
        var ext = Path.GetExtension(fileName);
        foreach (var (e, mime) in Known)
        {
            if (e.Equals(ext, StringComparison.OrdinalIgnoreCase)) return mime;
        }
        return null;
    }

    public static string? ExtensionOf(string mime)
    {
        foreach (var (e, m) in Known)
        {
            if (m.Equals(mime, StringComparison.OrdinalIgnoreCase)) return e;
        }
        return null;
    }

    /// <summary>image, video or audio for a media type; null for anything else (including a wildcard or a missing subtype).</summary>
    public static string? KindOf(string mime)
    {
        var slash = mime.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !IsToken(mime.AsSpan(slash + 1)) || mime.AsSpan(slash + 1) is "*") return null;
        var top = mime[..slash].ToLowerInvariant();
        return MediaSurfaces.All.Contains(top) ? top : null;
    }

    /// <summary>
    /// Strips parameters (<c>; charset=…</c>) and lower-cases; null when absent, generic, or a wildcard: <c>image/*</c>
    /// names no type, so the bytes' type is then settled from the file name or the requested output like a missing one.
    /// </summary>
    public static string? Normalize(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return null;
        var semi = contentType.IndexOf(';', StringComparison.Ordinal);
        var mime = (semi >= 0 ? contentType[..semi] : contentType).Trim().ToLowerInvariant();
        return mime is "" or "application/octet-stream" || mime.Contains('*', StringComparison.Ordinal) ? null : mime;
    }

    /// <summary>
    /// Whether a browser may render the type inline from the service's origin: the known raster images, audio and
    /// video. Not SVG (it can carry script) and nothing unknown; everything else is served as an attachment.
    /// </summary>
    public static bool IsSafeInline(string mime) =>
        !mime.Equals("image/svg+xml", StringComparison.OrdinalIgnoreCase) && ExtensionOf(mime) is not null;

    private static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return false;
        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal))) return false;
        }
        return true;
    }
}
