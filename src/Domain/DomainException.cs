namespace OpenDesign.Workflows.Domain;

/// <summary>
/// A refusal the caller can act on: the HTTP layer turns it into problem+json with <see cref="Code"/>.
/// Anything else that escapes is a bug, never a client error.
/// </summary>
public sealed class DomainException(int status, string code, string message, IReadOnlyDictionary<string, object?>? details = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public IReadOnlyDictionary<string, object?>? Details { get; } = details;

    public static DomainException BadRequest(string message, string code = Contracts.ErrorCodes.BadRequest) => new(400, code, message);
    public static DomainException NotFound(string code, string message) => new(404, code, message);
    public static DomainException Conflict(string code, string message) => new(409, code, message);
}
