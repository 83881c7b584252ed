namespace OpenDesign.Workflows.Domain;

/// <summary>
/// A refusal the caller can act on: the Api turns its <see cref="Kind"/> into a status and answers problem+json with
/// <see cref="Code"/>. Anything else that escapes is a bug, never a client error.
/// </summary>
public sealed class DomainException(DomainErrorKind kind, string code, string message, IReadOnlyDictionary<string, object?>? details = null)
    : Exception(message)
{
    public DomainErrorKind Kind { get; } = kind;
    public string Code { get; } = code;
    public IReadOnlyDictionary<string, object?>? Details { get; } = details;

    public static DomainException Invalid(string message, string code = Contracts.ErrorCodes.BadRequest) => new(DomainErrorKind.Invalid, code, message);
    public static DomainException NotFound(string code, string message) => new(DomainErrorKind.NotFound, code, message);
    public static DomainException Conflict(string code, string message) => new(DomainErrorKind.Conflict, code, message);

    /// <summary>The workflow engine (Temporal) could not take the work: 503 <c>TEMPORAL_UNAVAILABLE</c>.</summary>
    public static DomainException EngineUnavailable(string message, IReadOnlyDictionary<string, object?>? details = null) =>
        new(DomainErrorKind.Unavailable, Contracts.ErrorCodes.TemporalUnavailable, message, details);
}
