using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>The media body an agent posts: each field's exact 400 message, and what a valid body becomes.</summary>
public sealed class MediaGenerateParserTests
{
    private static readonly string LongPrompt = new('p', MediaGenerateParser.MaxPromptLength + 1);

    public static TheoryData<string, string> Refused => new()
    {
        { "[]", "request body must be a JSON object" },
        { "\"image\"", "request body must be a JSON object" },
        { "null", "request body must be a JSON object" },
        // surface: Open Design's message for anything that is not one of the three
        { """{"prompt":"p"}""", "surface must be image, video, or audio" },
        { """{"surface":null,"prompt":"p"}""", "surface must be image, video, or audio" },
        { """{"surface":"hologram","prompt":"p"}""", "surface must be image, video, or audio" },
        { """{"surface":"Image","prompt":"p"}""", "surface must be image, video, or audio" },
        { """{"surface":5,"prompt":"p"}""", "surface must be image, video, or audio" },
        { """{"surface":["image"],"prompt":"p"}""", "surface must be image, video, or audio" },
        { """{"surface":"imageimageimageimage","prompt":"p"}""", "surface must be image, video, or audio" },
        // prompt
        { """{"surface":"image"}""", "prompt is required" },
        { """{"surface":"image","prompt":""}""", "prompt is required" },
        { """{"surface":"image","prompt":"  \n "}""", "prompt is required" },
        { """{"surface":"image","prompt":42}""", "prompt must be a string of at most 32000 characters" },
        { "{\"surface\":\"image\",\"prompt\":\"" + LongPrompt + "\"}", "prompt must be a string of at most 32000 characters" },
        // model: optional, but not empty, a string, at most 200 characters
        { """{"surface":"image","prompt":"p","model":""}""", "model must be a non-empty string when provided" },
        { """{"surface":"image","prompt":"p","model":"   "}""", "model must be a non-empty string when provided" },
        { """{"surface":"image","prompt":"p","model":7}""", "model must be a string" },
        { "{\"surface\":\"image\",\"prompt\":\"p\",\"model\":\"" + new string('m', 201) + "\"}", "model must be at most 200 characters" },
        // audioKind
        { """{"surface":"audio","prompt":"p","audioKind":"noise"}""", "audioKind must be music, speech, or sfx" },
        { """{"surface":"audio","prompt":"p","audioKind":1}""", "audioKind must be a string" },
        // text fields
        { """{"surface":"image","prompt":"p","output":5}""", "output must be a string" },
        { "{\"surface\":\"image\",\"prompt\":\"p\",\"output\":\"" + new string('o', 256) + "\"}", "output must be at most 255 characters" },
        { """{"surface":"image","prompt":"p","aspect":1.5}""", "aspect must be a string" },
        { "{\"surface\":\"image\",\"prompt\":\"p\",\"aspect\":\"" + new string('1', 33) + "\"}", "aspect must be at most 32 characters" },
        { """{"surface":"audio","prompt":"p","voice":{}}""", "voice must be a string" },
        { "{\"surface\":\"audio\",\"prompt\":\"p\",\"voice\":\"" + new string('v', 201) + "\"}", "voice must be at most 200 characters" },
        { """{"surface":"audio","prompt":"p","language":true}""", "language must be a string" },
        { "{\"surface\":\"audio\",\"prompt\":\"p\",\"language\":\"" + new string('l', 65) + "\"}", "language must be at most 64 characters" },
        { """{"surface":"image","prompt":"p","image":5}""", "image must be a string" },
        // numbers: JSON numbers, finite, not negative
        { """{"surface":"video","prompt":"p","length":"5"}""", "length must be a non-negative number" },
        { """{"surface":"video","prompt":"p","length":-1}""", "length must be a non-negative number" },
        { """{"surface":"video","prompt":"p","length":1e400}""", "length must be a non-negative number" },
        { """{"surface":"audio","prompt":"p","duration":true}""", "duration must be a non-negative number" },
        { """{"surface":"audio","prompt":"p","duration":-0.5}""", "duration must be a non-negative number" },
        // inputRefs
        { """{"surface":"image","prompt":"p","inputRefs":"a.png"}""", "inputRefs must be an array of {kind, ref}" },
        { """{"surface":"image","prompt":"p","inputRefs":{"kind":"project-file","ref":"a.png"}}""", "inputRefs must be an array of {kind, ref}" },
        { """{"surface":"image","prompt":"p","inputRefs":["a.png"]}""", "inputRefs must be an array of {kind, ref}" },
        { """{"surface":"image","prompt":"p","inputRefs":[{"ref":"a.png"}]}""", "inputRefs[0].kind must be project-file, artifact, or media-request" },
        { """{"surface":"image","prompt":"p","inputRefs":[{"kind":"project-file","ref":"a.png"},{"kind":"url","ref":"x"}]}""", "inputRefs[1].kind must be project-file, artifact, or media-request" },
        { """{"surface":"image","prompt":"p","inputRefs":[{"kind":3,"ref":"a.png"}]}""", "inputRefs[0].kind must be project-file, artifact, or media-request" },
        { """{"surface":"image","prompt":"p","inputRefs":[{"kind":"artifact"}]}""", "inputRefs[0].ref must be a non-empty string" },
        { """{"surface":"image","prompt":"p","inputRefs":[{"kind":"artifact","ref":" "}]}""", "inputRefs[0].ref must be a non-empty string" },
        { """{"surface":"image","prompt":"p","inputRefs":[{"kind":"artifact","ref":9}]}""", "inputRefs[0].ref must be a non-empty string" },
        { "{\"surface\":\"image\",\"prompt\":\"p\",\"inputRefs\":[{\"kind\":\"artifact\",\"ref\":\"" + new string('r', 1025) + "\"}]}", "inputRefs[0].ref must be a non-empty string" },
        { "{\"surface\":\"image\",\"prompt\":\"p\",\"inputRefs\":[" + string.Join(",", Enumerable.Repeat("""{"kind":"artifact","ref":"a"}""", 33)) + "]}", "inputRefs may hold at most 32 entries" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Each_bad_field_gives_400_with_its_message(string body, string message) =>
        Refusal.Expect(() => MediaGenerateParser.Parse(Json.Parse(body)), 400, ErrorCodes.BadRequest, message);

    private const string NotText = "the request body holds a string that is not valid Unicode text (invalid UTF-8 or a lone surrogate)";

    [Theory]
    [InlineData("""{"surface":"\ud800","prompt":"p"}""")]
    [InlineData("""{"surface":"image","prompt":"a \udc00 b"}""")]
    [InlineData("""{"surface":"image","prompt":"p","model":"\ud800"}""")]
    [InlineData("""{"surface":"image","prompt":"p","voice":"\ud800"}""")]
    [InlineData("""{"surface":"image","prompt":"p","inputRefs":[{"kind":"artifact","ref":"\ud800"}]}""")]
    public void A_string_that_is_not_text_is_400_not_an_exception(string body) =>
        Refusal.Expect(() => MediaGenerateParser.Parse(Json.Parse(body)), 400, ErrorCodes.BadRequest, NotText);

    [Fact]
    public void A_full_body_keeps_every_field()
    {
        var parsed = MediaGenerateParser.Parse(Json.Parse("""
            {"surface":"audio","prompt":"a jingle","model":"  eleven-music  ","output":"jingle.mp3","aspect":"16:9",
             "length":5,"duration":12.5,"audioKind":"music","voice":"Rachel","language":"en",
             "inputRefs":[{"kind":"media-request","ref":"mreq_abc"},{"kind":"artifact","ref":"art-1"}],
             "projectId":"proj_ignored","loop":true}
            """));

        Assert.Equal("audio", parsed.Surface);
        Assert.Equal("a jingle", parsed.Prompt);
        Assert.Equal("eleven-music", parsed.Model);
        Assert.Equal("jingle.mp3", parsed.Output);
        Assert.Equal("16:9", parsed.Aspect);
        Assert.Equal(5, parsed.Length);
        Assert.Equal(12.5, parsed.Duration);
        Assert.Equal("music", parsed.AudioKind);
        Assert.Equal("Rachel", parsed.Voice);
        Assert.Equal("en", parsed.Language);
        Assert.Equal([new InputRef("media-request", "mreq_abc"), new InputRef("artifact", "art-1")], parsed.InputRefs);
    }

    [Fact]
    public void A_minimal_body_leaves_optional_fields_empty()
    {
        var parsed = MediaGenerateParser.Parse(Json.Parse("""{"surface":"video","prompt":"a wave","model":null,"inputRefs":null,"length":0}"""));

        Assert.Equal(new MediaGenerateRequest("video", "a wave", Length: 0), parsed);
        Assert.Null(parsed.InputRefs);
    }

    [Fact]
    public void Open_Designs_image_becomes_a_project_file_input_ref_after_the_given_refs()
    {
        var parsed = MediaGenerateParser.Parse(Json.Parse("""
            {"surface":"image","prompt":"p","image":"refs/sketch.png","inputRefs":[{"kind":"artifact","ref":"art-1"}]}
            """));
        Assert.Equal([new InputRef("artifact", "art-1"), new InputRef(InputRefKinds.ProjectFile, "refs/sketch.png")], parsed.InputRefs);

        var alone = MediaGenerateParser.Parse(Json.Parse("""{"surface":"image","prompt":"p","image":"sketch.png"}"""));
        Assert.Equal([new InputRef("project-file", "sketch.png")], alone.InputRefs);

        var empty = MediaGenerateParser.Parse(Json.Parse("""{"surface":"image","prompt":"p","image":""}"""));
        Assert.Null(empty.InputRefs);
    }

    [Theory]
    [InlineData("music")]
    [InlineData("speech")]
    [InlineData("sfx")]
    public void Each_audio_kind_is_accepted(string kind) =>
        Assert.Equal(kind, MediaGenerateParser.Parse(Json.Parse($$"""{"surface":"audio","prompt":"p","audioKind":"{{kind}}"}""")).AudioKind);

    [Fact]
    public void Thirty_two_refs_are_accepted()
    {
        var refs = string.Join(",", Enumerable.Repeat("""{"kind":"artifact","ref":"a"}""", 32));
        var parsed = MediaGenerateParser.Parse(Json.Parse("{\"surface\":\"image\",\"prompt\":\"p\",\"inputRefs\":[" + refs + "]}"));
        Assert.Equal(32, parsed.InputRefs!.Count);
    }
}
