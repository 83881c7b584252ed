using System.Text.Json.Serialization.Metadata;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Validation;

/// <summary><c>POST /api/runs/{id}/finish</c>: how the run ended, succeeded or failed (cancel has its own route).</summary>
public sealed class FinishRunValidator : IBodyValidator<FinishRunRequest>
{
    public JsonTypeInfo<FinishRunRequest> Type => OdJsonContext.Default.FinishRunRequest;

    public FinishRunRequest Validate(FinishRunRequest body, WrongTypes wrong)
    {
        var status = FieldRules.Text(body.Status, wrong.At("$.status"), "status", 32);
        if (status is not (RunStatuses.Succeeded or RunStatuses.Failed)) throw DomainException.Invalid("status must be succeeded or failed");
        return new FinishRunRequest(status);
    }
}
