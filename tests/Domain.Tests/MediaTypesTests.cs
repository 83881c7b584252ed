using OpenDesign.Workflows.Domain.Files;

namespace OpenDesign.Workflows.Domain.Tests;

public sealed class MediaTypesTests
{
    [Theory]
    [InlineData("a.png", "image/png")]
    [InlineData("a.PNG", "image/png")]
    [InlineData("dir/a.jpg", "image/jpeg")]
    [InlineData("a.jpeg", "image/jpeg")]
    [InlineData("a.webp", "image/webp")]
    [InlineData("a.gif", "image/gif")]
    [InlineData("a.svg", "image/svg+xml")]
    [InlineData("a.avif", "image/avif")]
    [InlineData("a.mp4", "video/mp4")]
    [InlineData("a.webm", "video/webm")]
    [InlineData("a.mov", "video/quicktime")]
    [InlineData("a.mp3", "audio/mpeg")]
    [InlineData("a.wav", "audio/wav")]
    [InlineData("a.ogg", "audio/ogg")]
    [InlineData("a.m4a", "audio/mp4")]
    [InlineData("a.flac", "audio/flac")]
    [InlineData("a.txt", null)]
    [InlineData("noext", null)]
    [InlineData("png", null)]
    public void MimeOf_maps_known_extensions(string name, string? mime) => Assert.Equal(mime, MediaTypes.MimeOf(name));

    [Theory]
    [InlineData("image/png", ".png")]
    [InlineData("IMAGE/JPEG", ".jpg")]
    [InlineData("video/quicktime", ".mov")]
    [InlineData("audio/mpeg", ".mp3")]
    [InlineData("application/pdf", null)]
    public void ExtensionOf_gives_the_stored_extension(string mime, string? ext) => Assert.Equal(ext, MediaTypes.ExtensionOf(mime));

    [Theory]
    [InlineData("image/png", "image")]
    [InlineData("Image/PNG", "image")]
    [InlineData("video/mp4", "video")]
    [InlineData("audio/mpeg", "audio")]
    [InlineData("application/octet-stream", null)]
    [InlineData("text/plain", null)]
    [InlineData("image", null)]
    [InlineData("/png", null)]
    [InlineData("", null)]
    [InlineData("image/", null)]
    [InlineData("image/*", null)]
    [InlineData("image/png x", null)]
    public void KindOf_is_the_top_level_type_when_it_is_a_surface(string mime, string? kind) => Assert.Equal(kind, MediaTypes.KindOf(mime));

    [Theory]
    [InlineData("image/PNG", "image/png")]
    [InlineData(" audio/mpeg ; charset=binary", "audio/mpeg")]
    [InlineData("application/octet-stream", null)]
    [InlineData("Application/Octet-Stream; x=1", null)]
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData(null, null)]
    [InlineData("image/*", null)]
    [InlineData("*/*", null)]
    [InlineData("Image/*; q=1", null)]
    public void Normalize_strips_parameters_and_drops_generic_types(string? contentType, string? expected) =>
        Assert.Equal(expected, MediaTypes.Normalize(contentType));

    [Theory]
    [InlineData("image", ".png")]
    [InlineData("video", ".mp4")]
    [InlineData("audio", ".mp3")]
    public void Each_surface_has_a_default_extension(string surface, string ext) => Assert.Equal(ext, MediaTypes.DefaultExtension(surface));

    [Theory]
    [InlineData("image/png", true)]
    [InlineData("image/jpeg", true)]
    [InlineData("image/webp", true)]
    [InlineData("video/mp4", true)]
    [InlineData("audio/mpeg", true)]
    [InlineData("image/svg+xml", false)]
    [InlineData("IMAGE/SVG+XML", false)]
    [InlineData("text/html", false)]
    [InlineData("text/javascript", false)]
    [InlineData("image/x-unknown", false)]
    [InlineData("application/octet-stream", false)]
    public void Only_known_raster_images_audio_and_video_are_safe_inline(string mime, bool safe) => Assert.Equal(safe, MediaTypes.IsSafeInline(mime));
}
