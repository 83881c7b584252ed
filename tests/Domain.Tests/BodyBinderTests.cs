using System.Text;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Tests.Support;
using OpenDesign.Workflows.Domain.Validation;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>
/// The one-pass binding of a clean body judges exactly as the full path: bodies whose only fault hides where the
/// serializer alone would not look (depth, trailing text, comments, bad text in an ignored member) are still refused
/// with the full path's message.
/// </summary>
public sealed class BodyBinderTests
{
    private const string Valid = "\"surface\":\"image\",\"prompt\":\"a red fox\"";

    private static MediaGenerateRequest Bind(string json) => BodyBinder.Bind(Encoding.UTF8.GetBytes(json), MediaGenerateParser.Instance);

    private static string Nested(int depth) => new string('[', depth - 1) + new string(']', depth - 1);

    [Fact]
    public void A_clean_body_is_bound()
    {
        var body = Bind("{" + Valid + ",\"ignored\":{\"x\":[1,2,{\"y\":null}]}}");
        Assert.Equal("image", body.Surface);
        Assert.Equal("a red fox", body.Prompt);
    }

    [Fact]
    public void An_ignored_member_may_nest_up_to_the_limit()
    {
        // The object itself is depth 1, so the member's arrays may add 31 levels.
        var body = Bind("{" + Valid + ",\"deep\":" + Nested(JsonText.MaxDepth) + "}");
        Assert.Equal("a red fox", body.Prompt);
    }

    [Theory]
    [InlineData("deeper than the limit in an ignored member", "{" + Valid + ",\"deep\":@}")]
    [InlineData("trailing text", "{" + Valid + "} x")]
    [InlineData("a second value", "{" + Valid + "} {}")]
    [InlineData("a comment", "{/* c */" + Valid + "}")]
    [InlineData("a trailing comma", "{" + Valid + ",}")]
    [InlineData("a syntax fault after a value of the wrong type", "{\"surface\":\"image\",\"prompt\":7,\"x\":}")]
    public void A_body_that_is_not_json_is_called_so(string fault, string json)
    {
        Assert.NotEmpty(fault);
        Refusal.Expect(() => Bind(json.Replace("@", Nested(JsonText.MaxDepth + 1))), 400, ErrorCodes.BadRequest, JsonText.NotJsonMessage);
    }

    [Fact]
    public void Invalid_utf8_in_an_ignored_member_is_refused_as_text()
    {
        var json = Encoding.UTF8.GetBytes("{" + Valid + ",\"note\":\"ab\"}");
        json[Array.IndexOf(json, (byte)'b', Valid.Length)] = 0xFF;
        Refusal.Expect(() => BodyBinder.Bind(json, MediaGenerateParser.Instance), 400, ErrorCodes.BadRequest, JsonText.InvalidMessage);
    }

    [Fact]
    public void A_lone_surrogate_escape_in_an_ignored_member_is_refused_as_text() =>
        Refusal.Expect(() => Bind("{" + Valid + ",\"note\":\"\\ud800\"}"), 400, ErrorCodes.BadRequest, JsonText.InvalidMessage);
}
