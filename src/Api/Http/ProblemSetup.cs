using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Http;

/// <summary>Every problem the service writes carries a stable <c>code</c>, including the framework's own 404/405/413.</summary>
internal static class ProblemSetup
{
    public static void Customize(ProblemDetailsOptions options) => options.CustomizeProblemDetails = ctx =>
    {
        var problem = ctx.ProblemDetails;
        problem.Extensions.Remove("traceId");
        if (!problem.Extensions.ContainsKey("code"))
        {
            problem.Extensions["code"] = problem.Status switch
            {
                400 => ErrorCodes.BadRequest,
                404 => ErrorCodes.NotFound,
                405 => ErrorCodes.MethodNotAllowed,
                413 => ErrorCodes.PayloadTooLarge,
                415 => ErrorCodes.UnsupportedMediaType,
                _ when problem.Status >= 500 => ErrorCodes.InternalError,
                _ => ErrorCodes.OtherError,
            };
        }
        if (problem.Status == 404) problem.Detail ??= "no such endpoint";
        if (problem.Status == 405) problem.Detail ??= "the endpoint does not accept this method";
    };
}
