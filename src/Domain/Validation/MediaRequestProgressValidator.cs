using System.Text.Json.Serialization.Metadata;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Validation;

/// <summary><c>POST /api/media-requests/{id}/progress</c>: an optional message and percentage; the body may be left out.</summary>
public sealed class MediaRequestProgressValidator : IBodyValidator<MediaRequestProgress>
{
    public JsonTypeInfo<MediaRequestProgress> Type => OdJsonContext.Default.MediaRequestProgress;

    public bool Optional => true;

    public MediaRequestProgress Validate(MediaRequestProgress body, WrongTypes wrong)
    {
        var message = FieldRules.Text(body.Message, wrong.At("$.message"), "message", 2000);
        if (wrong.At("$.percent") || body.Percent is < 0 or > 100 || body.Percent is { } p && !double.IsFinite(p))
        {
            throw DomainException.Invalid("percent must be a number from 0 to 100");
        }
        return new MediaRequestProgress(message, body.Percent);
    }
}
