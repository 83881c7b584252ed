namespace OpenDesign.Workflows.Domain;

/// <summary>
/// What kind of refusal a <see cref="DomainException"/> is. The domain says what went wrong; only the Api edge decides
/// which HTTP status that is, so the rules stay free of any transport.
/// </summary>
public enum DomainErrorKind
{
    /// <summary>The input itself is wrong (a field, a path, a body).</summary>
    Invalid,
    /// <summary>No credential, or one that is not (or no longer) valid.</summary>
    Unauthenticated,
    /// <summary>A valid caller asks for something it may not do.</summary>
    Forbidden,
    NotFound,
    /// <summary>The thing is in a state that does not allow the change (ended, taken, changed concurrently).</summary>
    Conflict,
    TooLarge,
    UnsupportedMediaType,
    /// <summary>Something the service depends on answered badly (a result URL, say).</summary>
    UpstreamFailed,
    /// <summary>A capability is not available now (no provider, no workflow engine).</summary>
    Unavailable,
}
