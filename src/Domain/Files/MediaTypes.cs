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

    /// <summary>image, video or audio for a media type; null for anything else.</summary>
    public static string? KindOf(string mime)
    {
        var slash = mime.IndexOf('/', StringComparison.Ordinal);
        var top = slash > 0 ? mime[..slash].ToLowerInvariant() : "";
        return MediaSurfaces.All.Contains(top) ? top : null;
    }

    /// <summary>Strips parameters (<c>; charset=…</c>) and lower-cases; null when absent or generic.</summary>
    public static string? Normalize(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return null;
        var semi = contentType.IndexOf(';', StringComparison.Ordinal);
        var mime = (semi >= 0 ? contentType[..semi] : contentType).Trim().ToLowerInvariant();
        return mime is "" or "application/octet-stream" ? null : mime;
    }
}
