using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Policy;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>Open Design's denial order: disabled, then surface, then model; every denial a 403 with its exact code and message.</summary>
public sealed class MediaPolicyDenyTests
{
    private const string Disabled = "media generation is disabled for this run";

    public static TheoryData<string, string[]?, string[]?, string, string?, string?, string?> Cases => new()
    {
        // mode, surfaces, models, surface, model -> code, message
        { "disabled", null, null, "image", "flux", ErrorCodes.MediaExecutionDisabled, Disabled },
        { "disabled", [], [], "image", null, ErrorCodes.MediaExecutionDisabled, Disabled },
        // disabled wins over a surface and a model that are both denied
        { "disabled", ["audio"], ["other"], "image", "flux", ErrorCodes.MediaExecutionDisabled, Disabled },
        // surface wins over a model that is also denied
        { "enabled", ["image"], ["other"], "video", "flux", ErrorCodes.MediaSurfaceDenied, "media surface \"video\" is not allowed for this run" },
        { "request-only", ["image", "video"], null, "audio", null, ErrorCodes.MediaSurfaceDenied, "media surface \"audio\" is not allowed for this run" },
        { "external", ["audio"], null, "image", null, ErrorCodes.MediaSurfaceDenied, "media surface \"image\" is not allowed for this run" },
        { "enabled", ["image"], ["gpt-image-1"], "image", "flux", ErrorCodes.MediaModelDenied, "media model \"flux\" is not allowed for this run" },
        { "request-only", null, ["gpt-image-1"], "video", "veo", ErrorCodes.MediaModelDenied, "media model \"veo\" is not allowed for this run" },
        // the model match is exact: case matters
        { "enabled", null, ["flux"], "image", "Flux", ErrorCodes.MediaModelDenied, "media model \"Flux\" is not allowed for this run" },
        // allowed
        { "enabled", null, null, "video", "anything", null, null },
        { "request-only", ["image"], ["flux"], "image", "flux", null, null },
        { "external", ["image", "audio"], ["a", "b"], "audio", "b", null, null },
        // empty lists are unrestricted
        { "enabled", [], [], "audio", "anything", null, null },
        { "request-only", [], ["flux"], "video", "flux", null, null },
        // no model given: the model list is not consulted
        { "enabled", ["image"], ["flux"], "image", null, null, null },
        { "request-only", null, ["flux"], "audio", null, null, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Deny_follows_disabled_then_surface_then_model(
        string mode, string[]? surfaces, string[]? models, string surface, string? model, string? code, string? message)
    {
        var denial = MediaPolicy.Deny(new MediaExecutionPolicy(mode, surfaces, models), surface, model);
        if (code is null)
        {
            Assert.Null(denial);
            return;
        }
        Assert.NotNull(denial);
        Assert.Equal((403, code, message), (denial.Status, denial.Code, denial.Message));
    }
}
