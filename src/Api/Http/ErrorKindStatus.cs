using OpenDesign.Workflows.Domain;

namespace OpenDesign.Workflows.Api.Http;

/// <summary>The one place a domain refusal becomes an HTTP status: the domain says what went wrong, the edge how to answer it.</summary>
internal static class ErrorKindStatus
{
    public static int Of(DomainErrorKind kind) => kind switch
    {
        DomainErrorKind.Invalid => StatusCodes.Status400BadRequest,
        DomainErrorKind.Unauthenticated => StatusCodes.Status401Unauthorized,
        DomainErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        DomainErrorKind.NotFound => StatusCodes.Status404NotFound,
        DomainErrorKind.Conflict => StatusCodes.Status409Conflict,
        DomainErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        DomainErrorKind.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        DomainErrorKind.UpstreamFailed => StatusCodes.Status502BadGateway,
        DomainErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        // A kind added without a status is a bug in the service, not the caller's fault.
        _ => StatusCodes.Status500InternalServerError,
    };
}
