using System.Net;
using System.Reflection;
using System.Text.Json;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests;

/// <summary>The codes the framework's own refusals carry are listed in ErrorCodes, like every other code a client may meet.</summary>
public sealed class ProblemCodeTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Theory]
    [InlineData("DELETE", "/api/runs", 405, "METHOD_NOT_ALLOWED")]
    [InlineData("PUT", "/api/projects/proj_x", 405, "METHOD_NOT_ALLOWED")]
    [InlineData("GET", "/api/nothing-here", 404, "NOT_FOUND")]
    public async Task A_framework_refusal_carries_a_code_from_ErrorCodes(string method, string path, int status, string code)
    {
        var listed = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        using var response = await api.SendAsync(new HttpMethod(method), path);
        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var answered = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();
        Assert.Equal(code, answered);
        Assert.Contains(code, listed);
    }

    public void Dispose() => _dir.Dispose();
}
