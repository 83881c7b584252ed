using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Temporal.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace OpenDesign.Workflows.Cli.Tests.Agents;

/// <summary>
/// shell-demo in an external run: its request becomes a workflow on the in-process Temporal test server, the
/// workflow submits it to a WireMock executor, the test answers as the executor would (callback with the bytes), and
/// the agent's wait sees the file.
/// </summary>
public sealed class ExternalAgentRunTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 9, 8, 7];

    [Fact]
    public async Task In_external_mode_the_agents_request_is_executed_by_the_executor_and_the_run_succeeds()
    {
        await using var temporal = await TemporalTestEnvironment.StartAsync();
        using var executor = WireMockServer.Start();
        executor.Given(Request.Create().WithPath("/submit").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(202).WithBodyAsJson(new { externalRequestId = "job-1", status = "accepted" }));
        await using var service = await TemporalAgentService.StartAsync(temporal, AgentServiceFixture.Settings());
        using var http = new HttpClient { BaseAddress = new Uri(service.Url) };

        var project = await AgentCalls.CreateProjectAsync(http);
        var policy = $$$"""{"mode":"external","externalExecutor":{"kind":"http","id":"wiremock","endpoint":"{{{executor.Url}}}/submit"}}""";
        var created = await AgentCalls.CreateRunAsync(http, project.Id, "shell-demo", policy);

        // The executor's side: the submission carries where to call back, and with which token.
        string? submission = null;
        await TemporalAgentService.UntilAsync(() =>
        {
            submission = executor.LogEntries.Select(e => e.RequestMessage).FirstOrDefault(m => m?.Path == "/submit")?.Body;
            return Task.FromResult(submission is not null);
        }, "the executor received the submission");
        var callback = JsonDocument.Parse(submission!).RootElement.GetProperty("callback");
        using var fulfil = new HttpRequestMessage(HttpMethod.Post, callback.GetProperty("fulfillUrl").GetString()) { Content = new ByteArrayContent(Png) };
        fulfil.Content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        fulfil.Headers.Authorization = new AuthenticationHeaderValue("Bearer", callback.GetProperty("token").GetString());
        using (var answer = await http.SendAsync(fulfil)) Assert.True(answer.IsSuccessStatusCode, $"fulfil answered {answer.StatusCode}");

        var run = await AgentCalls.WaitEndedAsync(http, created.RunId);
        Assert.Equal(RunStatuses.Succeeded, run.Status);
        Assert.Equal(Png, File.ReadAllBytes(Path.Combine(project.Dir, "poster.png")));
        var events = await AgentCalls.EventsAsync(http, created.RunId);
        Assert.Contains("shell-demo: media request " + Assert.Single(await ServiceCalls.ListAllAsync(http, created.RunId)).Id + ": fulfilled", AgentCalls.Output(events, "stdout"));
        Assert.Equal(new RunEndPayload(created.RunId, RunStatuses.Succeeded, 0), AgentCalls.End(events));
    }
}
