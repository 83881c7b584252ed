using OpenDesign.Workflows.Domain.Files;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>Open Design's flat naming: caller text never becomes a path with directories, a hidden file or an overlong name.</summary>
public sealed class OutputNamesTests
{
    [Theory]
    [InlineData("poster.png", "poster.png")]
    [InlineData("My Poster v2.png", "My-Poster-v2.png")]
    [InlineData("tab\there\nnl.png", "tab-here-nl.png")]
    [InlineData("  padded.png  ", "padded.png")]
    [InlineData("a/b/c.png", "a_b_c.png")]
    [InlineData("a\\b\\c.png", "a_b_c.png")]
    [InlineData("../../etc/passwd", "_._.._etc_passwd")]
    [InlineData("/abs/path.png", "_abs_path.png")]
    [InlineData(".hidden.png", "_hidden.png")]
    [InlineData("..", "_.")]
    [InlineData("héllo wörld.png", "h_llo-w_rld.png")]
    [InlineData("a:b*c?d<e>f|g\"h'.png", "a_b_c_d_e_f_g_h_.png")]
    [InlineData("keep_under-score.and.dots.webp", "keep_under-score.and.dots.webp")]
    [InlineData("emoji-🎨.png", "emoji-__.png")]
    [InlineData("C:\\Users\\x.png", "C__Users_x.png")]
    public void Sanitize_follows_Open_Designs_rules(string input, string expected) =>
        Assert.Equal(expected, OutputNames.Sanitize(input));

    [Fact]
    public void Sanitize_cuts_overlong_names_to_120_characters_keeping_the_extension()
    {
        var name = OutputNames.Sanitize(new string('a', 300) + ".png");
        Assert.Equal(OutputNames.MaxLength, name.Length);
        Assert.Equal(new string('a', 116) + ".png", name);
    }

    [Theory]
    [InlineData(120)]
    [InlineData(150)]
    [InlineData(250)]
    public void Sanitize_never_fails_on_an_overlong_extension_and_never_yields_a_hidden_name(int tail)
    {
        var name = OutputNames.Sanitize("a." + new string('b', tail));
        Assert.True(name.Length <= OutputNames.MaxLength, name);
        Assert.False(name.StartsWith('.'), name);
        Assert.StartsWith("a.", name, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("poster.png", "image", "poster.png")]
    [InlineData("poster", "image", "poster.png")]
    [InlineData("poster.", "image", "poster.png")]
    [InlineData("clip", "video", "clip.mp4")]
    [InlineData("clip.mov", "video", "clip.mov")]
    [InlineData("song", "audio", "song.mp3")]
    [InlineData("my song.wav", "audio", "my-song.wav")]
    [InlineData("sub/dir/out.jpg", "image", "sub_dir_out.jpg")]
    [InlineData(".env", "image", "_env.png")]
    public void A_requested_output_is_sanitised_and_given_the_surface_extension_when_it_has_none(string output, string surface, string expected) =>
        Assert.Equal(expected, OutputNames.ForRequest(output, surface, "mreq_0123456789abcdef01234567"));

    [Theory]
    [InlineData(null, "image", "image-0123456789abcdef01234567.png")]
    [InlineData("", "video", "video-0123456789abcdef01234567.mp4")]
    [InlineData("   ", "audio", "audio-0123456789abcdef01234567.mp3")]
    [InlineData("___", "image", "image-0123456789abcdef01234567.png")]
    [InlineData("...", "image", "image-0123456789abcdef01234567.png")]
    [InlineData("-", "audio", "audio-0123456789abcdef01234567.mp3")]
    [InlineData("/", "image", "image-0123456789abcdef01234567.png")]
    public void Without_a_usable_output_the_name_comes_from_the_surface_and_request_id(string? output, string surface, string expected) =>
        Assert.Equal(expected, OutputNames.ForRequest(output, surface, "mreq_0123456789abcdef01234567"));

    [Theory]
    [InlineData("poster.png", "image/png", "poster.png")]
    [InlineData("poster.png", "image/webp", "poster.webp")]
    [InlineData("poster.jpg", "image/jpeg", "poster.jpg")]
    [InlineData("poster.jpeg", "image/jpeg", "poster.jpeg")]
    [InlineData("poster.png", "image/jpeg", "poster.jpg")]
    [InlineData("clip.mp4", "video/webm", "clip.webm")]
    [InlineData("song.mp3", "audio/wav", "song.wav")]
    [InlineData("poster.png", "image/x-unknown", "poster.png")]
    [InlineData("poster.PNG", "image/png", "poster.PNG")]
    [InlineData("evil.html", "image/x-unknown", "evil.bin")]
    [InlineData("evil.js", "image/x-unknown", "evil.bin")]
    [InlineData("evil.html", "image/png", "evil.png")]
    [InlineData("song.mp3", "image/x-unknown", "song.bin")]
    [InlineData("evil.svg", "image/svg+xml", "evil.svg")]
    public void The_extension_follows_the_bytes_actual_type(string name, string mime, string expected) =>
        Assert.Equal(expected, OutputNames.WithExtensionFor(name, mime));
}
