using System.Text.Json.Serialization.Metadata;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Validation;

/// <summary>
/// <c>POST /api/media/tasks/{id}/wait</c>: the body may be left out; <c>since</c> and <c>timeoutMs</c> must be JSON
/// numbers when given. The answer is normalised as Open Design does: <c>since</c> a whole count of at least 0, the
/// timeout clamped to 0..25 s (25 s when absent).
/// </summary>
public sealed class MediaTaskWaitValidator : IBodyValidator<MediaTaskWaitRequest>
{
    public const int MaxWaitMs = 25_000;

    public JsonTypeInfo<MediaTaskWaitRequest> Type => OdJsonContext.Default.MediaTaskWaitRequest;

    public bool Optional => true;

    public MediaTaskWaitRequest Validate(MediaTaskWaitRequest body, WrongTypes wrong)
    {
        if (wrong.At("$.since")) throw DomainException.Invalid("since must be a number");
        if (wrong.At("$.timeoutMs")) throw DomainException.Invalid("timeoutMs must be a number");
        return new(
            Since: body.Since is { } s ? Math.Clamp(Math.Floor(s), 0, int.MaxValue) : 0,
            TimeoutMs: body.TimeoutMs is { } t ? Math.Clamp(t, 0, MaxWaitMs) : MaxWaitMs);
    }
}
