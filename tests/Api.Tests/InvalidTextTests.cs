using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests;

/// <summary>
/// A JSON string that is not Unicode text (invalid UTF-8 bytes, or an escaped lone surrogate) in any string field, any
/// property name, or an ignored field of any JSON body is a 400 problem, never a 500, and stores nothing.
/// </summary>
public sealed class InvalidTextTests : IDisposable
{
    private const string Detail = "the request body holds a string that is not valid Unicode text (invalid UTF-8 or a lone surrogate)";
    private const string Marker = "@@NOT_TEXT@@";

    /// <summary>
    /// Valid bodies for every endpoint that changes state, naming every string field it reads; {project}, {run} and
    /// {request} are filled in. Endpoints that read no body map to no templates.
    /// </summary>
    private static readonly Dictionary<string, string[]> Bodies = new()
    {
        ["POST /api/projects"] = ["""{"name":"n"}"""],
        ["POST /api/runs"] =
        [
            """{"projectId":"{project}","agentId":"a","message":"m","conversationId":"c","mediaExecution":{"mode":"request-only","allowedSurfaces":["image"],"allowedModels":["m1"]}}""",
            """{"projectId":"{project}","mediaExecution":{"mode":"external","externalExecutor":{"kind":"http","id":"x","endpoint":"http://127.0.0.1:9/s","cancelEndpoint":"http://127.0.0.1:9/c","auth":{"kind":"header-env","env":"E","header":"X-K"}}}}""",
        ],
        ["POST /api/runs/{id}/finish"] = ["""{"status":"succeeded"}"""],
        ["POST /api/runs/{id}/cancel"] = [],
        ["POST /api/tools/media/generate"] =
        [
            """{"surface":"audio","prompt":"p","model":"m","output":"o.mp3","aspect":"1:1","audioKind":"music","voice":"v","language":"en","image":"a.png","inputRefs":[{"kind":"artifact","ref":"r"}]}""",
        ],
        ["POST /api/media-requests/{id}/cancel"] = [],
        ["POST /api/media-requests/{id}/fail"] = ["""{"message":"m","code":"C"}"""],
        ["POST /api/media-requests/{id}/progress"] = ["""{"message":"m","percent":5}"""],
        ["POST /api/media-requests/{id}/fulfill"] = ["""{"file":"a.png"}""", """{"url":"http://127.0.0.1:9/a.png"}"""],
        ["POST /api/projects/{id}/media/generate"] =
        [
            """{"surface":"audio","prompt":"p","model":"gpt-4o-mini-tts","output":"o.mp3","aspect":"1:1","audioKind":"speech","voice":"v","language":"en"}""",
        ],
        ["POST /api/media/tasks/{id}/wait"] = ["""{"since":0,"timeoutMs":0,"note":"n"}"""],
    };

    private static readonly string[] Tables = ["projects", "runs", "tool_tokens", "media_requests", "media_tasks", "events", "callback_tokens"];

    private readonly TempDir _dir = new();

    [Fact]
    public void Every_endpoint_that_changes_state_is_covered()
    {
        using var app = new OdApp(_dir.Path);
        var mapped = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} /{e.RoutePattern.RawText!.Trim('/')}"))
            .Where(key => !key.StartsWith("GET ", StringComparison.Ordinal) && !key.StartsWith("HEAD ", StringComparison.Ordinal))
            .Order().ToList();
        Assert.Equal(Bodies.Keys.Order().ToList(), mapped);
    }

    [Fact]
    public async Task A_string_that_is_not_text_anywhere_in_any_body_is_400_and_stores_nothing()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);
        var failures = new List<string>();
        var cases = 0;

        foreach (var (endpoint, templates) in Bodies)
        {
            var id = endpoint.Contains("/runs/", StringComparison.Ordinal) ? run.RunId : endpoint.Contains("/projects/", StringComparison.Ordinal) ? project.Id : request.Id;
            var path = endpoint[5..].Replace("{id}", id, StringComparison.Ordinal);
            var bearer = endpoint.Contains("/tools/", StringComparison.Ordinal) ? run.ToolToken : null;
            foreach (var template in templates)
            {
                var body = template.Replace("{project}", project.Id, StringComparison.Ordinal);
                foreach (var variant in Variants(body))
                {
                    foreach (var (name, bytes) in Encodings(variant))
                    {
                        cases++;
                        var before = Tables.Select(t => app.Count(t)).ToList();
                        using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
                        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                        if (bearer is not null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
                        using var response = await api.Http.SendAsync(message);
                        var text = await response.Content.ReadAsStringAsync();
                        if (response.StatusCode != HttpStatusCode.BadRequest || response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                            || !IsProblem(text, ErrorCodes.BadRequest, Detail))
                        {
                            failures.Add($"{endpoint} {variant} ({name}): {(int)response.StatusCode} {text}");
                        }
                        var after = Tables.Select(t => app.Count(t)).ToList();
                        if (!after.SequenceEqual(before)) failures.Add($"{endpoint} {variant} ({name}) stored rows: {string.Join(",", before)} -> {string.Join(",", after)}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases failed:\n{string.Join("\n", failures)}");
        Assert.True(cases > 100, $"only {cases} cases ran");
        Assert.Equal(1, app.Count("runs", "status = 'running'"));
        Assert.Equal(MediaRequestStatuses.Requested, (await api.GetRequestAsync(request.Id)).Status);
        Assert.Empty(Directory.EnumerateFileSystemEntries(project.Dir));
    }

    /// <summary>The body once per string value and per property name, that one replaced by the marker, plus an unknown field holding it.</summary>
    private static IEnumerable<string> Variants(string json)
    {
        var slots = 0;
        Mark(JsonNode.Parse(json), -1, ref slots);
        for (var target = 0; target < slots; target++)
        {
            var k = 0;
            yield return Mark(JsonNode.Parse(json), target, ref k)!.ToJsonString();
        }
        var extra = JsonNode.Parse(json)!.AsObject();
        extra["ignored"] = Marker;
        yield return extra.ToJsonString();
    }

    private static JsonNode? Mark(JsonNode? node, int target, ref int k)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    obj.Remove(name);
                    var newName = k++ == target ? Marker : name;
                    obj[newName] = Mark(value, target, ref k);
                }
                return obj;
            case JsonArray array:
                var items = array.ToList();
                array.Clear();
                foreach (var item in items) array.Add(Mark(item, target, ref k));
                return array;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return k++ == target ? JsonValue.Create(Marker) : value;
            default:
                return node;
        }
    }

    /// <summary>The marker as raw bytes that are not UTF-8, and as an escaped lone high surrogate.</summary>
    private static IEnumerable<(string Name, byte[] Bytes)> Encodings(string variant)
    {
        var parts = variant.Split(Marker);
        Assert.Equal(2, parts.Length);
        yield return ("invalid UTF-8", [.. Encoding.UTF8.GetBytes(parts[0]), 0xFF, 0xFE, .. Encoding.UTF8.GetBytes(parts[1])]);
        yield return ("lone surrogate", Encoding.UTF8.GetBytes(parts[0] + "\\ud800" + parts[1]));
    }

    private static bool IsProblem(string text, string code, string detail)
    {
        try
        {
            var problem = JsonSerializer.Deserialize(text, OdJsonContext.Default.Problem);
            return problem?.Code == code && problem.Detail == detail && problem.Status == 400;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public void Dispose() => _dir.Dispose();
}
