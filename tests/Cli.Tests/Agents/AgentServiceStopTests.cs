using System.Diagnostics;
using System.Net;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Tests.Agents;

/// <summary>
/// A service stopped gracefully (SIGTERM) with an agent running: it stops the agent's process tree, ends the run
/// failed with the documented reason and revokes its token before it exits; nothing is left for the next start.
/// </summary>
public sealed class AgentServiceStopTests
{
    private const string StoppingReason = "the service stopped while this run's agent was running";

    [Fact]
    public async Task On_SIGTERM_a_running_agents_run_ends_failed_with_the_reason_and_its_process_group_is_gone()
    {
        var service = await ServiceProcess.StartAsync(AgentServiceFixture.Settings(("sleeper", "sleep", null)));
        int pid = 0;
        var restartedOrDisposed = false;
        try
        {
            RunCreated created;
            using (var http = new HttpClient { BaseAddress = new Uri(service.Url) })
            {
                var project = await AgentCalls.CreateProjectAsync(http);
                created = await AgentCalls.CreateRunAsync(http, project.Id, "sleeper");
                var running = await AgentCalls.WaitRunAsync(http, created.RunId, r => r.Agent?.State == AgentStates.Running, "had a running agent");
                pid = running.Agent!.Pid!.Value;
                await AgentCalls.UntilAsync(() => ProcessTable.LiveMembers(pid).Count >= 3, "the agent's children started");
            }

            Assert.Equal(0, await service.TerminateAsync());
            // The service waited for its agent: by the time it has exited, the whole group is gone.
            Assert.Empty(ProcessTable.LiveMembers(pid));

            restartedOrDisposed = true;
            await using var restarted = await service.RestartAsync();
            using var again = new HttpClient { BaseAddress = new Uri(restarted.Url) };
            var run = await AgentCalls.GetRunAsync(again, created.RunId);
            Assert.Equal(RunStatuses.Failed, run.Status);
            Assert.Equal((AgentStates.Exited, StoppingReason), (run.Agent!.State, run.Agent.Reason));
            var end = AgentCalls.End(await AgentCalls.EventsAsync(again, created.RunId));
            Assert.Equal((RunStatuses.Failed, StoppingReason), (end.Status, end.Reason));
            var answer = await OpenDesign.Workflows.Tests.Shared.HttpAnswer.ReadAsync(
                await ServiceCalls.PostAsync(again, ApiRoutes.Tools.MediaGenerate, ServiceCalls.GenerateBody, created.ToolToken));
            Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        }
        finally
        {
            if (!restartedOrDisposed) await service.DisposeAsync();
            // Whatever the outcome, the test leaves no sleeper behind.
            if (pid > 0) foreach (var leftover in ProcessTable.LiveMembers(pid)) Process.GetProcessById(leftover).Kill();
        }
    }
}
