using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Tests.Agents;

/// <summary>
/// Runs whose agent the service starts, end to end: the real service process, the real od, and shell-demo or the test
/// agent as the agent process.
/// </summary>
public sealed class AgentRunTests(AgentServiceFixture fixture) : IClassFixture<AgentServiceFixture>
{
    private HttpClient Http => fixture.Http;

    /// <summary>What the orchestrator does while the agent runs, and what must hold afterwards. A new mode is one more row.</summary>
    private sealed record ModeCase(
        string AgentId, string Policy, Func<HttpClient, string, Task> Orchestrate, int ExpectedExit, string ExpectedStatus, Action<ModeOutcome> Verify);

    private sealed record ModeOutcome(Run Run, (string Event, string Data)[] Events, IReadOnlyList<MediaRequest> Requests, string ProjectDir, OdResult Od);

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];

    private static readonly Dictionary<string, ModeCase> Modes = new()
    {
        // shell-demo asks, the test fulfils as the orchestrator, shell-demo's wait sees it and the run succeeds.
        ["request-only"] = new("shell-demo", "request-only", FulfilFirstRequestAsync, 0, RunStatuses.Succeeded, o =>
        {
            var request = Assert.Single(o.Requests);
            Assert.Equal(MediaRequestStatuses.Fulfilled, request.Status);
            Assert.Equal(Png, File.ReadAllBytes(Path.Combine(o.ProjectDir, "poster.png")));
            Assert.Contains("shell-demo: done: poster.png is in the project (" + Path.Combine(o.ProjectDir, "poster.png") + ")", AgentCalls.Output(o.Events, "stdout"));
            Assert.Contains("#", o.Od.Stdout, StringComparison.Ordinal);
            Assert.Contains(" end succeeded exit 0", o.Od.Stdout, StringComparison.Ordinal);
        }),
        // shell-demo reads "disabled" in its prompt and describes the brief instead of generating.
        ["disabled, agent follows the prompt"] = new("shell-demo", "disabled", NothingAsync, 0, RunStatuses.Succeeded, o =>
        {
            Assert.Empty(o.Requests);
            Assert.Contains("shell-demo: no file was created", AgentCalls.Output(o.Events, "stdout"));
        }),
        // An agent that ignores the prompt is refused by the service: 403, exit 4, nothing stored.
        ["disabled, agent tries anyway"] = new("generator", "disabled", NothingAsync, 6, RunStatuses.Failed, o =>
        {
            Assert.Empty(o.Requests);
            Assert.Equal(4, o.Run.Agent!.ExitCode);
            Assert.Contains(AgentCalls.Output(o.Events, "stderr"), l => l.Contains("403 MEDIA_EXECUTION_DISABLED", StringComparison.Ordinal));
            Assert.False(File.Exists(Path.Combine(o.ProjectDir, "anyway.png")));
            Assert.DoesNotContain(o.Events, e => e.Event == MediaRequestEvent.EventName);
        }),
    };

    public static TheoryData<string> ModeNames => [.. Modes.Keys];

    [Theory]
    [MemberData(nameof(ModeNames))]
    public async Task Od_runs_create_follow_streams_the_agent_and_exits_with_the_runs_outcome(string name)
    {
        var row = Modes[name];
        var project = await AgentCalls.CreateProjectAsync(Http);
        var od = OdProcess.RunAsync(
            ["runs", "create", "--project", project.Id, "--agent", row.AgentId, "--message", "A red fox poster", "--mode", row.Policy, "--follow"],
            new Dictionary<string, string> { ["OD_DAEMON_URL"] = fixture.Service.Url });

        var runId = await RunOfProjectAsync(project.Id);
        await row.Orchestrate(Http, runId);
        var result = await od;

        Assert.True(row.ExpectedExit == result.ExitCode, result.ToString());
        var run = await AgentCalls.WaitEndedAsync(Http, runId);
        Assert.Equal(row.ExpectedStatus, run.Status);
        var events = await AgentCalls.EventsAsync(Http, runId);
        Assert.Equal(AgentStartPayload.EventName, events[0].Event);
        Assert.Equal(RunEndPayload.EventName, events[^1].Event);
        Assert.Equal(row.ExpectedStatus, AgentCalls.End(events).Status);
        row.Verify(new ModeOutcome(run, events, await ServiceCalls.ListAllAsync(Http, runId), project.Dir, result));
    }

    [Fact]
    public async Task The_agent_gets_the_prompt_on_stdin_and_in_OD_PROMPT_FILE_and_an_environment_without_the_services_keys()
    {
        var project = await AgentCalls.CreateProjectAsync(Http);
        var created = await AgentCalls.CreateRunAsync(Http, project.Id, "capture");
        Assert.Equal(ApiRoutes.Runs.PromptPath(created.RunId), created.Prompt);
        Assert.Equal(new RunAgent("capture", AgentStates.Queued), created.Agent);
        var run = await AgentCalls.WaitEndedAsync(Http, created.RunId);
        Assert.Equal(RunStatuses.Succeeded, run.Status);

        var prompt = await Http.GetStringAsync(created.Prompt);
        Assert.Contains("A red fox poster", prompt, StringComparison.Ordinal);
        Assert.Equal(prompt, File.ReadAllText(Path.Combine(project.Dir, "agent-stdin.txt")));
        var env = File.ReadAllLines(Path.Combine(project.Dir, "agent-env.txt"))
            .Where(l => l.Contains('=', StringComparison.Ordinal)).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(prompt, File.ReadAllText(env["OD_PROMPT_FILE"]));
        Assert.Equal(created.ToolToken, env["OD_TOOL_TOKEN"]);
        Assert.Equal(project.Id, env["OD_PROJECT_ID"]);
        Assert.Equal(project.Dir, env["OD_PROJECT_DIR"]);
        Assert.Equal(created.RunId, env["OD_RUN_ID"]);
        Assert.Equal(fixture.Service.Url, env["OD_DAEMON_URL"]);
        Assert.True(File.Exists(env["OD_BIN"]), env["OD_BIN"]);
        Assert.Equal(project.Dir, File.ReadAllText(Path.Combine(project.Dir, "agent-cwd.txt")).Trim());

        var all = File.ReadAllText(Path.Combine(project.Dir, "agent-env.txt"));
        Assert.DoesNotContain(AgentServiceFixture.OpenAiKey, all, StringComparison.Ordinal);
        Assert.DoesNotContain(AgentServiceFixture.ReplicateKey, all, StringComparison.Ordinal);
        Assert.False(env.ContainsKey("OPENAI_API_KEY"));
        Assert.False(env.ContainsKey("REPLICATE_API_TOKEN"));
        Assert.False(env.ContainsKey("OD_API_TOKEN"));
        // Nothing of the service's configuration leaks either (the agents' own settings are configuration too).
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("Agents__", StringComparison.Ordinal) || k.StartsWith("Temporal__", StringComparison.Ordinal));

        var events = await AgentCalls.EventsAsync(Http, created.RunId);
        var start = JsonSerializer.Deserialize(events[0].Data, OdJsonContext.Default.AgentStartPayload)!;
        Assert.Equal(new AgentStartPayload(created.RunId, "capture", run.Agent!.Pid!.Value, "test-agent.sh", project.Dir), start);
        Assert.Equal(["captured"], AgentCalls.Output(events, "stdout"));
        Assert.Equal(new RunEndPayload(created.RunId, RunStatuses.Succeeded, 0), AgentCalls.End(events));
    }

    [Fact]
    public async Task A_failing_agent_ends_its_run_failed_with_its_exit_code_and_its_token_revoked()
    {
        var project = await AgentCalls.CreateProjectAsync(Http);
        var created = await AgentCalls.CreateRunAsync(Http, project.Id, "failer");
        var run = await AgentCalls.WaitEndedAsync(Http, created.RunId);

        Assert.Equal(RunStatuses.Failed, run.Status);
        Assert.Equal(3, run.Agent!.ExitCode);
        var events = await AgentCalls.EventsAsync(Http, created.RunId);
        Assert.Equal(["something went wrong"], AgentCalls.Output(events, "stderr"));
        Assert.Equal(new RunEndPayload(created.RunId, RunStatuses.Failed, 3, "the agent exited with code 3"), AgentCalls.End(events));
        await AssertTokenRevokedAsync(created.ToolToken);
    }

    [Fact]
    public async Task Cancelling_a_run_stops_its_agents_whole_process_tree()
    {
        var project = await AgentCalls.CreateProjectAsync(Http);
        var created = await AgentCalls.CreateRunAsync(Http, project.Id, "sleeper");
        var running = await AgentCalls.WaitRunAsync(Http, created.RunId, r => r.Agent?.State == AgentStates.Running, "had a running agent");
        var pid = running.Agent!.Pid!.Value;
        // The agent and its two sleeps, all in the agent's own process group (setsid), none in the service's.
        await AgentCalls.UntilAsync(() => ProcessTable.LiveMembers(pid).Count >= 3, "the agent's children started");

        using var cancel = await ServiceCalls.PostAsync(Http, ApiRoutes.Runs.CancelPath(created.RunId), null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        await ProcessTable.WaitGoneAsync(pid);

        var run = await AgentCalls.WaitEndedAsync(Http, created.RunId);
        Assert.Equal(RunStatuses.Canceled, run.Status);
        Assert.Equal("the run ended while its agent was running", run.Agent!.Reason);
        await AssertTokenRevokedAsync(created.ToolToken);
        var events = await AgentCalls.EventsAsync(Http, created.RunId);
        Assert.Equal(RunEndPayload.EventName, events[^1].Event);
    }

    [Fact]
    public async Task An_agent_past_its_timeout_is_stopped_and_its_run_fails_with_the_reason()
    {
        var project = await AgentCalls.CreateProjectAsync(Http);
        var created = await AgentCalls.CreateRunAsync(Http, project.Id, "slow");
        var run = await AgentCalls.WaitEndedAsync(Http, created.RunId);

        Assert.Equal(RunStatuses.Failed, run.Status);
        Assert.Equal("the agent timed out after 00:00:01", run.Agent!.Reason);
        Assert.Empty(ProcessTable.LiveMembers(run.Agent.Pid!.Value));
        var end = AgentCalls.End(await AgentCalls.EventsAsync(Http, created.RunId));
        Assert.Equal(RunStatuses.Failed, end.Status);
        Assert.Equal("the agent timed out after 00:00:01", end.Reason);
    }

    [Fact]
    public async Task Every_line_of_a_chatty_agent_within_the_burst_is_stored_in_order()
    {
        var project = await AgentCalls.CreateProjectAsync(Http);
        var created = await AgentCalls.CreateRunAsync(Http, project.Id, "chatty");
        await AgentCalls.WaitEndedAsync(Http, created.RunId);
        var lines = AgentCalls.Output(await AgentCalls.EventsAsync(Http, created.RunId), "stdout").ToList();
        Assert.Equal(Enumerable.Range(1, AgentServiceFixture.ChattyLines).Select(i => $"line {i}"), lines);
    }

    [Fact]
    public async Task A_flood_beyond_the_rate_limit_is_dropped_and_counted_never_lost_silently()
    {
        var project = await AgentCalls.CreateProjectAsync(Http);
        var created = await AgentCalls.CreateRunAsync(Http, project.Id, "flood");
        await AgentCalls.WaitEndedAsync(Http, created.RunId);
        var events = await AgentCalls.EventsAsync(Http, created.RunId);
        var kept = AgentCalls.Output(events, "stdout").Count();
        var dropped = events.Where(e => e.Event == AgentOutputDropped.EventName)
            .Select(e => JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.AgentOutputDropped)!).ToList();

        Assert.NotEmpty(dropped);
        Assert.All(dropped, d => Assert.Equal("stdout", d.Stream));
        Assert.InRange(kept, AgentServiceFixture.Burst, AgentServiceFixture.FloodLines - 1);
        Assert.Equal(AgentServiceFixture.FloodLines, kept + dropped.Sum(d => d.Lines));
    }

    [Fact]
    public async Task A_long_line_is_cut_to_the_limit_and_the_cut_is_counted()
    {
        var project = await AgentCalls.CreateProjectAsync(Http);
        var created = await AgentCalls.CreateRunAsync(Http, project.Id, "longline");
        await AgentCalls.WaitEndedAsync(Http, created.RunId);
        var events = await AgentCalls.EventsAsync(Http, created.RunId);
        var line = JsonSerializer.Deserialize(events.Single(e => e.Event == "stdout").Data, OdJsonContext.Default.AgentOutputPayload)!;
        Assert.Equal(new string('x', 4096), line.Chunk);
        Assert.Equal(10000 - 4096, line.Truncated);
    }

    private async Task AssertTokenRevokedAsync(string token)
    {
        var answer = await OpenDesign.Workflows.Tests.Shared.HttpAnswer.ReadAsync(await ServiceCalls.PostAsync(Http, ApiRoutes.Tools.MediaGenerate, ServiceCalls.GenerateBody, token));
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Contains(ErrorCodes.ToolTokenInvalid, answer.Body, StringComparison.Ordinal);
    }

    private async Task<string> RunOfProjectAsync(string projectId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var list = await ServiceCalls.ReadAsync(await Http.GetAsync($"{ApiRoutes.Runs.Collection}?projectId={projectId}"), HttpStatusCode.OK, OdJsonContext.Default.RunList);
            if (list.Runs.Count > 0) return list.Runs[0].Id;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("od never created the run");
            await Task.Delay(50);
        }
    }

    private static async Task FulfilFirstRequestAsync(HttpClient http, string runId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        List<MediaRequest> requests;
        while ((requests = await ServiceCalls.ListAllAsync(http, runId)).Count == 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the agent never asked for media");
            await Task.Delay(50);
        }
        using var answer = await ServiceCalls.SendBytesAsync(http, ApiRoutes.MediaRequests.FulfillPath(requests[0].Id), Png, "image/png");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }

    private static Task NothingAsync(HttpClient http, string runId) => Task.CompletedTask;
}

/// <summary>A service killed with an agent running: the next start ends the run failed and leaves no agent process behind.</summary>
public sealed class AgentRestartTests
{
    private const string AgentRestartReason = "the service restarted while this run's agent was running; an agent process cannot be re-attached";

    [Fact]
    public async Task After_a_crash_a_run_whose_agent_was_running_ends_failed_with_the_reason_and_its_process_group_is_gone()
    {
        var settings = AgentServiceFixture.Settings(("sleeper", "sleep", null));
        settings["Agents__MaxConcurrent"] = "1";
        var service = await ServiceProcess.StartAsync(settings);
        int pid;
        string runId;
        string token;
        string queuedId;
        using (var http = new HttpClient { BaseAddress = new Uri(service.Url) })
        {
            var project = await AgentCalls.CreateProjectAsync(http);
            var created = await AgentCalls.CreateRunAsync(http, project.Id, "sleeper");
            (runId, token) = (created.RunId, created.ToolToken);
            var running = await AgentCalls.WaitRunAsync(http, runId, r => r.Agent?.State == AgentStates.Running, "had a running agent");
            pid = running.Agent!.Pid!.Value;

            // Agents:MaxConcurrent is 1: a second run waits for the slot, and says so.
            queuedId = (await AgentCalls.CreateRunAsync(http, project.Id, "sleeper")).RunId;
            var queued = await AgentCalls.GetRunAsync(http, queuedId);
            Assert.Equal((RunStatuses.Running, new RunAgent("sleeper", AgentStates.Queued)), (queued.Status, queued.Agent));
            Assert.DoesNotContain(await AgentCalls.EventsAsync(http, queuedId), e => e.Event == AgentStartPayload.EventName);
        }
        await service.KillAsync();
        // SIGKILL takes only the service: its agent, in its own session, is still there.
        Assert.NotEmpty(ProcessTable.LiveMembers(pid));
        try
        {
            await AssertRestartEndsTheRunAsync(service, runId, token, pid, queuedId);
        }
        finally
        {
            // Whatever the outcome, the test leaves no sleeper behind.
            foreach (var leftover in ProcessTable.LiveMembers(pid)) Process.GetProcessById(leftover).Kill();
        }
    }

    private static async Task AssertRestartEndsTheRunAsync(ServiceProcess service, string runId, string token, int pid, string queuedId)
    {
        await using var restarted = await service.RestartAsync();
        using var again = new HttpClient { BaseAddress = new Uri(restarted.Url) };
        var queued = await AgentCalls.GetRunAsync(again, queuedId);
        Assert.Equal(RunStatuses.Failed, queued.Status);
        Assert.Equal(new RunAgent("sleeper", AgentStates.Exited, Reason: AgentRestartReason, ExitedAt: queued.Agent!.ExitedAt), queued.Agent);
        var run = await AgentCalls.GetRunAsync(again, runId);
        Assert.Equal(RunStatuses.Failed, run.Status);
        Assert.Equal(AgentStates.Exited, run.Agent!.State);
        Assert.Equal($"{AgentRestartReason} (its agent process was pid {pid})", run.Agent.Reason);
        var end = AgentCalls.End(await AgentCalls.EventsAsync(again, runId));
        Assert.Equal(new RunEndPayload(runId, RunStatuses.Failed, null, run.Agent.Reason), end);
        await ProcessTable.WaitGoneAsync(pid);
        var answer = await OpenDesign.Workflows.Tests.Shared.HttpAnswer.ReadAsync(
            await ServiceCalls.PostAsync(again, ApiRoutes.Tools.MediaGenerate, ServiceCalls.GenerateBody, token));
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
    }
}
