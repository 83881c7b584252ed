using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests;

/// <summary>
/// The served OpenAPI document is the checked-in docs/openapi.json (a contract change is always a visible diff), it
/// describes every mapped endpoint, and it and the reference page are guarded like the rest of the API.
/// </summary>
public sealed class OpenApiDocumentTests : IDisposable
{
    private const string Regenerate = "OD_UPDATE_OPENAPI=1 dotnet test --project tests/Api.Tests -- --filter-class '*OpenApiDocumentTests'";

    private readonly TempDir _dir = new();

    [Fact]
    public async Task The_served_document_is_the_checked_in_docs_openapi_json()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var served = (await api.Http.GetStringAsync("/openapi/v1.json")).ReplaceLineEndings("\n").TrimEnd() + "\n";
        var path = Path.Combine(RepositoryRoot(), "docs", "openapi.json");
        if (Environment.GetEnvironmentVariable("OD_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, served);
            return;
        }
        var checkedIn = File.Exists(path) ? (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n") : "";
        Assert.True(checkedIn == served, $"docs/openapi.json differs from the document the service serves. If the change is intended, regenerate it: {Regenerate}");
    }

    [Fact]
    public async Task Every_mapped_endpoint_is_in_the_document_with_its_method()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var document = JsonNode.Parse(await api.Http.GetStringAsync("/openapi/v1.json"))!;
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            // The document itself and the reference page's files are not operations of the API.
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .ToList();
        Assert.Equal(
            ApiRoutes.All.Except([ApiRoutes.OpenApi.Document, .. ApiRoutes.OpenApi.ReferenceRoutes]).Order(StringComparer.Ordinal),
            endpoints.Select(e => e.RoutePattern.RawText!).Distinct().Order(StringComparer.Ordinal));
        var missing = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var path = endpoint.RoutePattern.RawText!.Replace("{**", "{", StringComparison.Ordinal);
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                var operation = document["paths"]?[path]?[method.ToLowerInvariant()];
                if (operation?["operationId"] is null || operation["responses"] is null) missing.Add($"{method} {path}");
            }
        }
        Assert.True(missing.Count == 0, $"mapped but not in the document (or without operationId/responses): {string.Join(", ", missing)}");
    }

    public static TheoryData<string, string, string[]> Credentials => new()
    {
        { "post", "/api/projects", ["adminToken"] },
        { "post", "/api/runs", ["adminToken"] },
        { "post", "/api/tools/media/generate", ["toolToken"] },
        { "get", "/api/runs/{runId}/media-requests", ["adminToken", "toolToken"] },
        { "get", "/api/media-requests/{id}", ["adminToken", "toolToken"] },
        { "post", "/api/media-requests/{id}/cancel", ["adminToken", "toolToken"] },
        { "post", "/api/media-requests/{id}/fulfill", ["adminToken", "callbackToken"] },
        { "post", "/api/media-requests/{id}/fail", ["adminToken", "callbackToken"] },
        { "post", "/api/media-requests/{id}/progress", ["adminToken", "callbackToken"] },
    };

    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task Each_operation_names_the_credentials_it_takes(string method, string path, string[] schemes)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var document = JsonNode.Parse(await api.Http.GetStringAsync("/openapi/v1.json"))!;
        var security = document["paths"]![path]![method]!["security"]!.AsArray();
        Assert.Equal(schemes, security.Select(r => Assert.Single(r!.AsObject()).Key));
        var declared = document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal(["adminToken", "callbackToken", "toolToken"], declared.Select(s => s.Key).Order(StringComparer.Ordinal));
        Assert.All(declared, s => Assert.Equal("bearer", (string?)s.Value!["scheme"]));
    }

    [Fact]
    public async Task Problem_answers_have_the_problem_schema_with_its_code()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var document = JsonNode.Parse(await api.Http.GetStringAsync("/openapi/v1.json"))!;
        Assert.NotNull(document["components"]!["schemas"]!["Problem"]!["properties"]!["code"]);
        var createRun = document["paths"]!["/api/runs"]!["post"]!["responses"]!;
        foreach (var status in new[] { "400", "401", "404", "413", "415", "503" })
        {
            Assert.Equal("#/components/schemas/Problem", (string?)createRun[status]!["content"]!["application/problem+json"]!["schema"]!["$ref"]);
        }
        Assert.Equal("#/components/schemas/RunCreated", (string?)createRun["201"]!["content"]!["application/json"]!["schema"]!["$ref"]);
    }

    [Theory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/scalar/v1")]
    public async Task The_document_and_the_reference_page_need_the_api_token_from_other_machines(string path)
    {
        using var app = new OdApp(_dir.Path, remoteIp: IPAddress.Parse("10.1.2.3"), settings: new Dictionary<string, string?> { ["OD_API_TOKEN"] = "s3cret" });
        using var api = app.Api();
        using (var none = await api.Http.GetAsync(path)) await OdClient.ProblemAsync(none, HttpStatusCode.Unauthorized, ErrorCodes.ApiTokenRequired);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", "s3cret");
        using var right = await api.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task The_reference_page_is_served_on_loopback_and_points_at_the_document()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        using var response = await api.Http.GetAsync("/scalar/v1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        // Scalar writes the document URL relative to the site root.
        Assert.Contains("\"url\":\"openapi/v1.json\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenDesign.Workflows.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("the repository root (OpenDesign.Workflows.sln) is not above the test binaries");
    }

    public void Dispose() => _dir.Dispose();
}
