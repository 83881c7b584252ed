using System.Text.Json.Serialization.Metadata;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Policy;

namespace OpenDesign.Workflows.Domain.Validation;

/// <summary><c>POST /api/runs</c>: the project, optional agent details, and the policy (judged by <see cref="MediaPolicyParser"/>).</summary>
public sealed class CreateRunValidator : IBodyValidator<CreateRunRequest>
{
    public const int MaxMessageLength = 100_000;

    public JsonTypeInfo<CreateRunRequest> Type => OdJsonContext.Default.CreateRunRequest;

    public CreateRunRequest Validate(CreateRunRequest body, WrongTypes wrong) => new(
        ProjectId: FieldRules.RequiredText(body.ProjectId, wrong.At("$.projectId"), "projectId", 64),
        AgentId: FieldRules.Text(body.AgentId, wrong.At("$.agentId"), "agentId", 200),
        Message: FieldRules.Text(body.Message, wrong.At("$.message"), "message", MaxMessageLength),
        ConversationId: FieldRules.Text(body.ConversationId, wrong.At("$.conversationId"), "conversationId", 200),
        MediaExecution: MediaPolicyParser.Validate(body.MediaExecution, wrong, "$.mediaExecution"),
        // true, false, or absent/null for "launch when the agent is configured".
        Launch: wrong.At("$.launch") ? throw DomainException.Invalid("launch must be true or false") : body.Launch);
}
