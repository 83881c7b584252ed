using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Policy;

/// <summary>Open Design's denial order: disabled, then surface, then model; all 403.</summary>
public static class MediaPolicy
{
    public static DomainException? Deny(MediaExecutionPolicy policy, string surface, string? model)
    {
        if (policy.Mode == MediaExecutionModes.Disabled)
        {
            return new DomainException(DomainErrorKind.Forbidden, ErrorCodes.MediaExecutionDisabled, "media generation is disabled for this run");
        }
        if (policy.AllowedSurfaces is { Count: > 0 } surfaces && !surfaces.Contains(surface))
        {
            return new DomainException(DomainErrorKind.Forbidden, ErrorCodes.MediaSurfaceDenied, $"media surface \"{surface}\" is not allowed for this run");
        }
        if (model is not null && policy.AllowedModels is { Count: > 0 } models && !models.Contains(model, StringComparer.Ordinal))
        {
            return new DomainException(DomainErrorKind.Forbidden, ErrorCodes.MediaModelDenied, $"media model \"{model}\" is not allowed for this run");
        }
        return null;
    }
}
