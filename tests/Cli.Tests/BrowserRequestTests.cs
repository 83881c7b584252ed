using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary>The real service, bound to 127.0.0.1 with OD_API_TOKEN set, as one service process for the class.</summary>
public sealed class TokenedService : IAsyncLifetime
{
    public const string ApiToken = "browser-tests-api-token";

    public ServiceProcess Service { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Service = await ServiceProcess.StartAsync(new Dictionary<string, string> { ["OD_API_TOKEN"] = ApiToken });

    public ValueTask DisposeAsync() => Service.DisposeAsync();
}

/// <summary>
/// Loopback without a credential is admin, so a web page on this machine must not be able to act as one: a foreign
/// Origin, a foreign Host (DNS rebinding) and a form's content types are refused and change nothing, while a browser
/// page of the service's own origin and clients that send no Origin (curl, od, executors) keep working.
/// </summary>
public sealed class BrowserRequestTests(TokenedService fixture) : IClassFixture<TokenedService>, IDisposable
{
    private const string Evil = "https://evil.example";
    private readonly HttpClient _http = new();
    private string Url => fixture.Service.Url;

    [Fact]
    public async Task A_cross_origin_text_plain_cancel_is_403_and_the_run_keeps_running()
    {
        var (_, runId, _) = await CreateRunAsync();
        using var response = await SendAsync(HttpMethod.Post, $"/api/runs/{runId}/cancel", "{}", "text/plain", origin: Evil);
        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "ORIGIN_NOT_ALLOWED");
        Assert.Equal("running", await RunStatusAsync(runId));
    }

    [Fact]
    public async Task A_cross_origin_post_creates_no_run_whatever_its_content_type_or_credential()
    {
        var projectId = await CreateProjectAsync();
        var body = $$$"""{"projectId":"{{{projectId}}}","mediaExecution":{"mode":"request-only"}}""";
        using (var plain = await SendAsync(HttpMethod.Post, "/api/runs", body, "text/plain", origin: Evil))
            await AssertProblemAsync(plain, HttpStatusCode.Forbidden, "ORIGIN_NOT_ALLOWED");
        using (var json = await SendAsync(HttpMethod.Post, "/api/runs", body, "application/json", origin: Evil))
            await AssertProblemAsync(json, HttpStatusCode.Forbidden, "ORIGIN_NOT_ALLOWED");
        using (var admin = await SendAsync(HttpMethod.Post, "/api/runs", body, "application/json", origin: Evil, bearer: TokenedService.ApiToken))
            await AssertProblemAsync(admin, HttpStatusCode.Forbidden, "ORIGIN_NOT_ALLOWED");
        using (var sandboxed = await SendAsync(HttpMethod.Post, "/api/runs", body, "application/json", origin: "null"))
            await AssertProblemAsync(sandboxed, HttpStatusCode.Forbidden, "ORIGIN_NOT_ALLOWED");
        Assert.Empty(await RunsOfAsync(projectId));
    }

    [Fact]
    public async Task A_tool_token_is_held_to_the_same_origin_rule()
    {
        var (_, runId, toolToken) = await CreateRunAsync();
        using var response = await SendAsync(HttpMethod.Post, "/api/tools/media/generate", """{"surface":"image","prompt":"p"}""", "application/json",
            origin: Evil, bearer: toolToken);
        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "ORIGIN_NOT_ALLOWED");
        using var list = await SendAsync(HttpMethod.Get, $"/api/runs/{runId}/media-requests");
        Assert.Equal(0, JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("requests").GetArrayLength());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_form_content_type_without_origin_is_415_and_creates_no_run(string contentType)
    {
        var projectId = await CreateProjectAsync();
        using var response = await SendAsync(HttpMethod.Post, "/api/runs", $$"""{"projectId":"{{projectId}}"}""", contentType);
        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        Assert.Empty(await RunsOfAsync(projectId));
    }

    [Fact]
    public async Task A_foreign_host_is_refused_and_its_answer_holds_no_token()
    {
        var projectId = await CreateProjectAsync();
        var port = new Uri(Url).Port;
        using (var create = await SendAsync(HttpMethod.Post, "/api/runs", $$"""{"projectId":"{{projectId}}"}""", "application/json", host: $"attacker.example:{port}"))
        {
            var text = await AssertProblemAsync(create, HttpStatusCode.BadRequest, "HOST_NOT_ALLOWED");
            Assert.DoesNotContain("odtt_", text, StringComparison.Ordinal);
            Assert.DoesNotContain("toolToken", text, StringComparison.Ordinal);
        }
        using (var read = await SendAsync(HttpMethod.Get, "/api/runs", host: "attacker.example"))
            await AssertProblemAsync(read, HttpStatusCode.BadRequest, "HOST_NOT_ALLOWED");
        using (var otherIp = await SendAsync(HttpMethod.Get, "/api/runs", host: $"192.0.2.7:{port}"))
            await AssertProblemAsync(otherIp, HttpStatusCode.BadRequest, "HOST_NOT_ALLOWED");
        Assert.Empty(await RunsOfAsync(projectId));
    }

    [Fact]
    public async Task A_page_of_the_services_own_origin_and_a_client_without_origin_both_work()
    {
        var projectId = await CreateProjectAsync();
        var port = new Uri(Url).Port;
        var body = $$$"""{"projectId":"{{{projectId}}}","mediaExecution":{"mode":"request-only"}}""";
        using (var sameOrigin = await SendAsync(HttpMethod.Post, "/api/runs", body, "application/json; charset=utf-8", origin: Url, sameOrigin: true))
            Assert.Equal(HttpStatusCode.Created, sameOrigin.StatusCode);
        using (var localhost = await SendAsync(HttpMethod.Post, "/api/runs", body, "application/json", origin: $"http://localhost:{port}", host: $"localhost:{port}"))
            Assert.Equal(HttpStatusCode.Created, localhost.StatusCode);
        using (var curl = await SendAsync(HttpMethod.Post, "/api/runs", body, "application/json"))
            Assert.Equal(HttpStatusCode.Created, curl.StatusCode);
        var runs = await RunsOfAsync(projectId);
        Assert.Equal(3, runs.Count);
        using (var cancel = await SendAsync(HttpMethod.Post, $"/api/runs/{runs[0]}/cancel", origin: Url, sameOrigin: true))
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("canceled", await RunStatusAsync(runs[0]));
    }

    [Fact]
    public async Task A_body_kestrel_cannot_read_is_answered_as_a_problem_with_a_code()
    {
        // Written by hand: HttpClient never sends a broken chunked body.
        var uri = new Uri(Url);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        var stream = client.GetStream();
        var request = $"POST /api/projects HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var answer = await reader.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"code\":\"BAD_REQUEST\"", answer, StringComparison.Ordinal);
    }

    private async Task<string> CreateProjectAsync()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/projects", """{"name":"browser"}""", "application/json");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    private async Task<(string ProjectId, string RunId, string ToolToken)> CreateRunAsync()
    {
        var projectId = await CreateProjectAsync();
        using var response = await SendAsync(HttpMethod.Post, "/api/runs", $$$"""{"projectId":"{{{projectId}}}","mediaExecution":{"mode":"request-only"}}""", "application/json");
        var run = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (projectId, run.GetProperty("runId").GetString()!, run.GetProperty("toolToken").GetString()!);
    }

    private async Task<string> RunStatusAsync(string runId)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/api/runs/{runId}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString()!;
    }

    private async Task<List<string>> RunsOfAsync(string projectId)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/api/runs?projectId={projectId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("runs").EnumerateArray()
            .Select(r => r.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body = null, string? contentType = null,
        string? origin = null, string? bearer = null, string? host = null, bool sameOrigin = false)
    {
        var request = new HttpRequestMessage(method, Url + path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType!);
        }
        if (origin is not null) request.Headers.TryAddWithoutValidation("Origin", origin);
        if (sameOrigin) request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (host is not null) request.Headers.Host = host;
        return _http.SendAsync(request);
    }

    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
        return text;
    }

    public void Dispose() => _http.Dispose();
}
