using Microsoft.AspNetCore.Mvc;
using OpenDesign.Workflows.Domain;

namespace OpenDesign.Workflows.Api.Http;

internal static class Problems
{
    public static ValueTask WriteAsync(IProblemDetailsService service, HttpContext context, int status, string code, string detail,
        IReadOnlyDictionary<string, object?>? details)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails
        {
            Status = status,
            Title = ReasonPhrase(status),
            Detail = detail,
        };
        problem.Extensions["code"] = code;
        if (details is not null) problem.Extensions["details"] = details;
        return service.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    /// <summary>Answers a domain refusal: its kind decides the status (<see cref="ErrorKindStatus"/>).</summary>
    public static ValueTask WriteAsync(IProblemDetailsService service, HttpContext context, DomainException refusal) =>
        WriteAsync(service, context, ErrorKindStatus.Of(refusal.Kind), refusal.Code, refusal.Message, refusal.Details);

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}
