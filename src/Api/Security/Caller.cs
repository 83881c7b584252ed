using System.Reflection;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Tokens;

namespace OpenDesign.Workflows.Api.Security;

/// <summary>Who is calling, as settled by <see cref="CallerAuthenticationMiddleware"/>: an admin, or an agent holding a run's tool token.</summary>
public sealed class Caller
{
    private Caller(ToolTokenGrant? grant, string? callbackRequestId)
    {
        Grant = grant;
        CallbackRequestId = callbackRequestId;
    }

    public static Caller Admin { get; } = new(null, null);

    public static Caller Tool(ToolTokenGrant grant) => new(grant, null);

    /// <summary>An executor calling back about one request with that request's callback token.</summary>
    public static Caller Callback(string requestId) => new(null, requestId);

    public ToolTokenGrant? Grant { get; }

    public string? CallbackRequestId { get; }

    public bool IsAdmin => Grant is null && CallbackRequestId is null;

    /// <summary>A tool token never reaches outside its own run and project.</summary>
    public void EnsureRun(string runId, string projectId)
    {
        if (Grant is not null && (Grant.RunId != runId || Grant.ProjectId != projectId))
        {
            throw new DomainException(DomainErrorKind.Forbidden, ErrorCodes.Forbidden, "the tool token belongs to a different run",
                new Dictionary<string, object?> { ["runId"] = runId });
        }
    }

    public static ValueTask<Caller?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult(context.Items[typeof(Caller)] as Caller);
}
