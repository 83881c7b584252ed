namespace OpenDesign.Workflows.Cli.Http;

/// <summary>The Content-Type an upload is sent with, guessed from the file extension; the service checks it against the request's surface.</summary>
internal static class ContentTypes
{
    public const string OctetStream = "application/octet-stream";

    public static string ForFile(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".webp" => "image/webp",
        ".gif" => "image/gif",
        ".svg" => "image/svg+xml",
        ".mp4" => "video/mp4",
        ".webm" => "video/webm",
        ".mov" => "video/quicktime",
        ".mp3" => "audio/mpeg",
        ".wav" => "audio/wav",
        ".ogg" => "audio/ogg",
        ".m4a" => "audio/mp4",
        ".flac" => "audio/flac",
        _ => OctetStream,
    };
}
