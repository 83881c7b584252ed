using System.Text;

namespace OpenDesign.Workflows.Domain.Files;

/// <summary>
/// Open Design's flat output naming: separators become '_', whitespace '-', anything outside [A-Za-z0-9._-] '_',
/// and a leading dot '_'. Caller text never becomes a path with directories.
/// </summary>
public static class OutputNames
{
    public const int MaxLength = 120;

    public static string Sanitize(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name.Trim())
        {
            sb.Append(c switch
            {
                '/' or '\\' => '_',
                _ when char.IsWhiteSpace(c) => '-',
                _ when char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' => c,
                _ => '_',
            });
        }
        if (sb.Length > 0 && sb[0] == '.') sb[0] = '_';
        var result = sb.ToString();
        if (result.Length > MaxLength)
        {
            var ext = Path.GetExtension(result);
            // An "extension" as long as the limit is just text after a dot: cut it like the rest.
            result = ext.Length < MaxLength ? result[..(MaxLength - ext.Length)] + ext : result[..MaxLength];
        }
        return result;
    }

    /// <summary>The project-relative name a request's (or a task's) bytes will get: the caller's output, sanitised, else one derived from the id after its prefix.</summary>
    public static string ForRequest(string? output, string surface, string requestId)
    {
        var name = string.IsNullOrWhiteSpace(output) ? "" : Sanitize(output);
        if (name.Trim('_', '-', '.').Length == 0) name = $"{surface}-{requestId[(requestId.IndexOf('_') + 1)..]}";
        if (Path.GetExtension(name).Length <= 1) name = name.TrimEnd('.') + MediaTypes.DefaultExtension(surface);
        return name;
    }

    /// <summary>
    /// Keeps the requested stem but swaps the extension when the bytes turned out to be another type, as Open Design
    /// does. Bytes of a type without a known extension keep the name's extension only if it is a media extension of
    /// the same kind; otherwise they get <c>.bin</c>, so a name like <c>evil.html</c> can never label image bytes as a
    /// page (what a stored file is served as follows its extension).
    /// </summary>
    public static string WithExtensionFor(string name, string mime)
    {
        var named = MediaTypes.MimeOf(name);
        if (named is not null && named.Equals(mime, StringComparison.OrdinalIgnoreCase)) return name;
        if (MediaTypes.ExtensionOf(mime) is { } ext) return Path.ChangeExtension(name, ext);
        var sameKind = named is not null && MediaTypes.KindOf(named) == MediaTypes.KindOf(mime);
        return sameKind ? name : Path.ChangeExtension(name, UnknownTypeExtension);
    }

    /// <summary>The extension of stored bytes whose type has no known one: served as application/octet-stream, as an attachment.</summary>
    public const string UnknownTypeExtension = ".bin";
}
