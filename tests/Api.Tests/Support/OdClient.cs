using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests.Support;

/// <summary>Thin typed calls over the service's HTTP API, as an orchestrator or agent would make them.</summary>
public sealed class OdClient(HttpClient http) : IDisposable
{
    public HttpClient Http { get; } = http;

    public async Task<Project> CreateProjectAsync(string? name = null)
    {
        using var response = await Http.PostAsJsonAsync("/api/projects", new CreateProjectRequest(name), OdJsonContext.Default.CreateProjectRequest);
        return await ReadAsync(response, HttpStatusCode.Created, OdJsonContext.Default.Project);
    }

    public async Task<RunCreated> CreateRunAsync(string projectId, string policyJson = """{"mode":"request-only"}""")
    {
        using var response = await PostJsonAsync("/api/runs", $$"""{"projectId":"{{projectId}}","mediaExecution":{{policyJson}}}""");
        return await ReadAsync(response, HttpStatusCode.Created, OdJsonContext.Default.RunCreated);
    }

    public async Task<(Project Project, RunCreated Run)> CreateRequestOnlyRunAsync(string policyJson = """{"mode":"request-only"}""")
    {
        var project = await CreateProjectAsync();
        return (project, await CreateRunAsync(project.Id, policyJson));
    }

    public Task<HttpResponseMessage> GenerateAsync(string? token, string body = """{"surface":"image","prompt":"a poster","output":"poster.png"}""") =>
        SendAsync(HttpMethod.Post, "/api/tools/media/generate", token, body);

    public async Task<MediaRequest> GenerateOkAsync(string token, string body = """{"surface":"image","prompt":"a poster","output":"poster.png"}""")
    {
        using var response = await GenerateAsync(token, body);
        return await ReadAsync(response, HttpStatusCode.Accepted, OdJsonContext.Default.MediaRequest);
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json, string? bearer = null) =>
        SendAsync(HttpMethod.Post, path, bearer, json);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? bearer = null, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> FulfillBytesAsync(string requestId, byte[] bytes, string contentType, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/media-requests/{requestId}/fulfill") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return Http.SendAsync(request);
    }

    public async Task<MediaRequest> GetRequestAsync(string id)
    {
        using var response = await Http.GetAsync($"/api/media-requests/{id}");
        return await ReadAsync(response, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize(text, type)!;
    }

    /// <summary>Asserts a problem+json answer with this status and stable code, and returns it.</summary>
    public static async Task<Problem> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize(text, OdJsonContext.Default.Problem)!;
        Assert.Equal(code, problem.Code);
        return problem;
    }

    public void Dispose() => Http.Dispose();
}
