namespace OpenDesign.Workflows.Domain.Tests.Support;

/// <summary>
/// The HTTP status each refusal kind must be answered with, written out here by hand (not read from the Api's mapping)
/// so the domain tests keep asserting what a caller sees on the wire. Shared with Activities.Tests as a linked file.
/// </summary>
public static class ExpectedStatus
{
    extension(DomainException e)
    {
        public int Status => e.Kind switch
        {
            DomainErrorKind.Invalid => 400,
            DomainErrorKind.Unauthenticated => 401,
            DomainErrorKind.Forbidden => 403,
            DomainErrorKind.NotFound => 404,
            DomainErrorKind.Conflict => 409,
            DomainErrorKind.TooLarge => 413,
            DomainErrorKind.UnsupportedMediaType => 415,
            DomainErrorKind.UpstreamFailed => 502,
            DomainErrorKind.Unavailable => 503,
            _ => throw new ArgumentOutOfRangeException(nameof(e), e.Kind, "a refusal kind without an expected status"),
        };
    }
}
