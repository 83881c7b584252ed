namespace OpenDesign.Workflows.Api.Http;

/// <summary>
/// An answer whose body is JSON already serialised as UTF-8 (what was just stored), with a fixed content type. The hot
/// generate path answers this way instead of <c>Results.Text</c>, which parses its content-type string again on every
/// answer to find the encoding; the bytes on the wire are the same (status, Content-Type, Content-Length, body).
/// </summary>
internal sealed class StoredJsonResult(byte[] json, int statusCode) : IResult, IStatusCodeHttpResult
{
    private const string ContentType = "application/json; charset=utf-8";

    public int? StatusCode => statusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = ContentType;
        response.ContentLength = json.Length;
        // Straight into the response's pipe.
        var write = response.BodyWriter.WriteAsync(json);
        return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
    }
}
