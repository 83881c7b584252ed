using System.Text.Json;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary>The newcomer's walk-through, with the real od against the real service: nothing faked.</summary>
public sealed class EndToEndTests
{
    [Fact]
    public async Task An_agent_requests_media_and_an_operator_fulfils_it_with_a_file_that_lands_in_the_project()
    {
        await using var service = await ServiceProcess.StartAsync();
        var url = new Dictionary<string, string> { ["OD_DAEMON_URL"] = service.Url };

        var project = Json(await OdProcess.RunAsync(["projects", "create", "--name", "demo", "--json"], url));
        var projectId = project.GetProperty("id").GetString()!;
        var run = Json(await OdProcess.RunAsync(["runs", "create", "--project", projectId, "--media-mode", "request-only", "--json"], url));
        var runId = run.GetProperty("runId").GetString()!;
        var agent = new Dictionary<string, string>(url) { ["OD_TOOL_TOKEN"] = run.GetProperty("toolToken").GetString()! };

        var generated = await OdProcess.RunAsync(["media", "generate", "--surface", "image", "--prompt", "A launch poster", "--output", "poster.png", "--json"], agent);
        var request = Json(generated);
        var requestId = request.GetProperty("id").GetString()!;
        Assert.Equal("requested", request.GetProperty("status").GetString());

        // The agent holds no fulfil operation: the same command with its token is refused by the service.
        var png = Path.Combine(service.DataDir, "..", $"poster-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 42]);
        try
        {
            var refused = await OdProcess.RunAsync(["media", "requests", "fulfill", requestId, "--file", png], agent);
            Assert.Equal(4, refused.ExitCode);
            Assert.Contains("TOOL_ENDPOINT_DENIED", refused.Stderr, StringComparison.Ordinal);

            var fulfilled = Json(await OdProcess.RunAsync(["media", "requests", "fulfill", requestId, "--file", png, "--json"], url));
            Assert.Equal("fulfilled", fulfilled.GetProperty("status").GetString());
            Assert.Equal(await File.ReadAllBytesAsync(png), await File.ReadAllBytesAsync(Path.Combine(service.DataDir, "projects", projectId, "poster.png")));
        }
        finally
        {
            File.Delete(png);
        }

        var listed = Json(await OdProcess.RunAsync(["media", "requests", "list", "--run", runId, "--json"], agent));
        Assert.Contains(requestId, listed.GetRawText(), StringComparison.Ordinal);

        Assert.Equal(0, (await OdProcess.RunAsync(["runs", "finish", runId, "--status", "succeeded"], url)).ExitCode);
        var events = await OdProcess.RunAsync(["runs", "events", runId, "--follow", "--json"], url);
        Assert.Equal(0, events.ExitCode);
        var lines = events.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["media_request", "media_request", "end"], lines.Select(l => l.GetProperty("event").GetString()));
    }

    private static JsonElement Json(OdResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }
}
