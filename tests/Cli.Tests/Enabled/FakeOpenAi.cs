using System.Text.Json;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace OpenDesign.Workflows.Cli.Tests.Enabled;

/// <summary>
/// WireMock playing OpenAI under <c>/v1</c>, the base URL media-config.json points the service at. Each test matches
/// its own prompt (images) or job id (Sora), so tests sharing the one server never answer each other.
/// </summary>
public sealed class FakeOpenAi : IDisposable
{
    private readonly WireMockServer _server = WireMockServer.Start();

    public string BaseUrl => _server.Url + "/v1";

    /// <summary>Every request OpenAI received, oldest first.</summary>
    public IReadOnlyList<IRequestMessage> Requests =>
        [.. _server.LogEntries.Select(e => e.RequestMessage).OfType<IRequestMessage>().OrderBy(m => m.DateTime)];

    /// <summary>The image requests whose JSON body asked for <paramref name="prompt"/>.</summary>
    public IReadOnlyList<IRequestMessage> ImageCalls(string prompt) =>
        [.. Requests.Where(r => r.Path == "/v1/images/generations" && r.Body is { } body && PromptOf(body) == prompt)];

    /// <summary>The Sora creations whose multipart form carries <paramref name="prompt"/>.</summary>
    public IReadOnlyList<IRequestMessage> VideoCreations(string prompt) =>
        [.. Requests.Where(r => r.Path == "/v1/videos" && r.Method == "POST" && r.Body is { } body && body.Contains(prompt, StringComparison.Ordinal))];

    public int Polls(string jobId) => Requests.Count(r => r.Path == $"/v1/videos/{jobId}" && r.Method == "GET");

    /// <summary>An image answered at once as <c>b64_json</c>, as gpt-image models answer.</summary>
    public void Image(string prompt, byte[] png) =>
        OnImage(prompt).RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
            .WithBody(JsonSerializer.Serialize(new { created = 1764000000, data = new[] { new { b64_json = Convert.ToBase64String(png) } } })));

    /// <summary>An image answered with a URL on this same server, then served from it.</summary>
    public void ImageByUrl(string prompt, byte[] png)
    {
        var path = "/files/" + Guid.NewGuid().ToString("N") + ".png";
        _server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "image/png").WithBody(png));
        OnImage(prompt).RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
            .WithBody(JsonSerializer.Serialize(new { created = 1764000000, data = new[] { new { url = _server.Url + path } } })));
    }

    /// <summary>An OpenAI error answer (its usual <c>{"error":{...}}</c> shape) to the image call.</summary>
    public void ImageError(string prompt, int status, string message) =>
        OnImage(prompt).RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json")
            .WithBody(JsonSerializer.Serialize(new { error = new { message, type = "invalid_request_error", param = (string?)null, code = (string?)null } })));

    /// <summary>A Sora job created for <paramref name="prompt"/> as <paramref name="jobId"/>, in progress until <see cref="CompleteVideo"/>.</summary>
    public void PendingVideo(string prompt, string jobId)
    {
        _server.Given(Request.Create().WithPath("/v1/videos").UsingPost().WithBody(new WildcardMatcher("*" + prompt + "*")))
            .RespondWith(Json(new { id = jobId, @object = "video", status = "queued", progress = 0 }));
        _server.Given(Request.Create().WithPath($"/v1/videos/{jobId}").UsingGet()).WithGuid(GuidOf(jobId))
            .RespondWith(Json(new { id = jobId, @object = "video", status = "in_progress", progress = 40 }));
    }

    /// <summary>The job's next poll says completed, and its content is <paramref name="mp4"/>.</summary>
    public void CompleteVideo(string jobId, byte[] mp4)
    {
        _server.Given(Request.Create().WithPath($"/v1/videos/{jobId}/content").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "video/mp4").WithBody(mp4));
        // Same mapping id: replaces the in-progress answer.
        _server.Given(Request.Create().WithPath($"/v1/videos/{jobId}").UsingGet()).WithGuid(GuidOf(jobId))
            .RespondWith(Json(new { id = jobId, @object = "video", status = "completed", progress = 100 }));
    }

    public void Dispose() => _server.Stop();

    private IRespondWithAProvider OnImage(string prompt) =>
        _server.Given(Request.Create().WithPath("/v1/images/generations").UsingPost()
            .WithBody(new JsonPartialMatcher(JsonSerializer.Serialize(new { prompt }))));

    private static IResponseBuilder Json(object value) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(JsonSerializer.Serialize(value));

    private static Guid GuidOf(string jobId) => new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(jobId)).AsSpan(0, 16));

    private static string? PromptOf(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.TryGetProperty("prompt", out var p) ? p.GetString() : null;
    }
}
