using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Tests.Shared;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary>The HTTP calls the real-process tests (robustness, run-end races) make against the service, answers read to the end.</summary>
internal static class ServiceCalls
{
    public const string GenerateBody = """{"surface":"image","prompt":"a launch poster","output":"poster.png"}""";

    public static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, string? json, string? bearer = null, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return http.SendAsync(request, ct);
    }

    public static Task<HttpResponseMessage> SendBytesAsync(HttpClient http, string path, byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return http.PostAsync(path, content);
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var answer = await HttpAnswer.ReadAsync(response);
        Assert.True(answer.Status == expected, $"expected {expected}, got {answer.Status}: {answer.Body}");
        return JsonSerializer.Deserialize(answer.Body, type)!;
    }

    public static async Task<(string ProjectId, RunCreated Run)> CreateRunAsync(HttpClient http, string name)
    {
        var project = await ReadAsync(await PostAsync(http, "/api/projects", $$"""{"name":"{{name}}"}"""), HttpStatusCode.Created, OdJsonContext.Default.Project);
        var run = await ReadAsync(await PostAsync(http, "/api/runs", $$$"""{"projectId":"{{{project.Id}}}","mediaExecution":{"mode":"request-only"}}"""),
            HttpStatusCode.Created, OdJsonContext.Default.RunCreated);
        return (project.Id, run);
    }

    public static async Task<MediaRequest> GenerateAsync(HttpClient http, string token, string body = GenerateBody) =>
        await ReadAsync(await PostAsync(http, "/api/tools/media/generate", body, token), HttpStatusCode.Accepted, OdJsonContext.Default.MediaRequest);

    /// <summary>Every request of a run, page by page with the cursor the service returns.</summary>
    public static async Task<List<MediaRequest>> ListAllAsync(HttpClient http, string runId)
    {
        var all = new List<MediaRequest>();
        string? cursor = null;
        for (var page = 0; page < 1000; page++)
        {
            var path = $"/api/runs/{runId}/media-requests?limit=100" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var list = await ReadAsync(await http.GetAsync(path), HttpStatusCode.OK, OdJsonContext.Default.MediaRequestList);
            all.AddRange(list.Requests);
            cursor = list.NextCursor;
            if (cursor is null) return all;
        }
        throw new InvalidOperationException("the listing never ended");
    }

    public static async Task<MediaRequest> GetRequestAsync(HttpClient http, string id) =>
        await ReadAsync(await http.GetAsync($"/api/media-requests/{id}"), HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);

    /// <summary>The run's stored events, replayed without following.</summary>
    public static async Task<List<SseItem<string>>> EventsAsync(HttpClient http, string runId, CancellationToken ct = default)
    {
        using var response = await http.GetAsync($"/api/runs/{runId}/events?follow=false", HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync(ct)).EnumerateAsync(ct)) events.Add(item);
        return events;
    }

    public static MediaRequestEvent? AsRequestEvent(SseItem<string> e) =>
        e.EventType == MediaRequestEvent.EventName ? JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.MediaRequestEvent) : null;
}
