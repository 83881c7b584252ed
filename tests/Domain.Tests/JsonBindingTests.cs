using System.Text;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Policy;
using OpenDesign.Workflows.Domain.Tests.Support;
using OpenDesign.Workflows.Domain.Validation;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>
/// Binding to a record never stops at the first value of the wrong type: the validator sees every other field and
/// reports faults in its own order, as the hand-checked bodies did.
/// </summary>
public sealed class JsonBindingTests
{
    [Fact]
    public void Every_wrong_typed_value_is_listed_by_path_and_the_rest_is_bound()
    {
        var json = """{"surface":"image","prompt":7,"length":"5","inputRefs":[{"kind":3,"ref":"a"},"b",{"kind":"artifact","ref":"c"}]}"""u8;
        var (body, wrong) = JsonBinding.Bind(json, OdJsonContext.Default.MediaGenerateRequest);

        Assert.NotNull(body);
        Assert.Equal("image", body.Surface);
        Assert.Null(body.Prompt);
        Assert.Null(body.Length);
        Assert.True(wrong.At("$.prompt"));
        Assert.True(wrong.At("$.length"));
        Assert.True(wrong.At("$.inputRefs[0].kind"));
        Assert.True(wrong.At("$.inputRefs[1]"));
        Assert.False(wrong.At("$.inputRefs[2]"));
        Assert.False(wrong.At("$.surface"));
        Assert.True(wrong.Within("$.inputRefs"));
        Assert.False(wrong.Within("$.input"));
        // Indexes keep their places: the third ref is still the third.
        Assert.Equal(new InputRef("artifact", "c"), body.InputRefs![2]);
    }

    [Fact]
    public void A_whole_value_of_the_wrong_type_is_the_root_path()
    {
        var (body, wrong) = JsonBinding.Bind("[1,2]"u8, OdJsonContext.Default.MediaGenerateRequest);
        Assert.Null(body);
        Assert.True(wrong.At("$"));
    }

    [Theory]
    // The validator's order decides, not the order in the body.
    [InlineData("""{"prompt":5,"surface":"hologram"}""", "surface must be image, video, or audio")]
    [InlineData("""{"language":1,"model":2,"surface":"image","prompt":"p"}""", "model must be a string")]
    // A repeated member whose copies disagree in type is refused, not a 500.
    [InlineData("""{"surface":"image","prompt":"p","model":"m","model":7}""", "model must be a string")]
    [InlineData("""{"surface":"image","prompt":"p","model":7,"model":"m"}""", "model must be a string")]
    public void Faults_are_reported_in_the_validators_order(string body, string message) =>
        Refusal.Expect(() => MediaGenerateParser.Parse(Json.Parse(body)), 400, ErrorCodes.BadRequest, message);

    [Fact]
    public void A_run_body_with_a_wrong_policy_type_after_a_bad_mode_reports_the_mode()
    {
        var validator = new CreateRunValidator();
        var json = Encoding.UTF8.GetBytes("""{"projectId":"p","mediaExecution":{"allowedModels":7,"mode":"off"}}""");
        Refusal.Expect(() => BodyBinder.Bind(json, validator), 400, ErrorCodes.BadRequest, MediaPolicyParser.ModeMessage);
    }

    [Fact]
    public void Member_names_are_matched_exactly_and_numbers_must_be_json_numbers()
    {
        Refusal.Expect(() => MediaGenerateParser.Parse(Json.Parse("""{"Surface":"image","prompt":"p"}""")), 400, ErrorCodes.BadRequest,
            "surface must be image, video, or audio");
        Refusal.Expect(() => MediaGenerateParser.Parse(Json.Parse("""{"surface":"video","prompt":"p","duration":"5"}""")), 400,
            ErrorCodes.BadRequest, "duration must be a non-negative number");
    }
}
