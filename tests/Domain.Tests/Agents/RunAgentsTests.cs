using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Runs;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests.Agents;

/// <summary>What the service records about a run's agent: ordered with the run's end, never after it.</summary>
public sealed class RunAgentsTests : IAsyncLifetime
{
    private readonly DomainHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Output_that_arrives_after_the_run_ended_is_not_stored_so_end_stays_the_last_event()
    {
        var project = await _h.NewProjectAsync("Agents");
        var run = await _h.RunService.CreateAsync(project.Id, "demo", null, null, MediaExecutionPolicy.Default, launchAgent: true);
        Assert.True(await _h.Agents.StartedAsync(new AgentStartPayload(run.RunId, "demo", 4242, "demo.sh", project.Dir)));
        Assert.Equal(1, await _h.Agents.AppendOutputAsync(run.RunId, [(AgentOutputPayload.StdoutEvent, """{"chunk":"before"}""")]));

        await _h.RunService.EndAsync(run.RunId, RunStatuses.Canceled);
        Assert.Equal(0, await _h.Agents.AppendOutputAsync(run.RunId, [(AgentOutputPayload.StdoutEvent, """{"chunk":"after"}""")]));

        var events = _h.Events.ReadRun(run.RunId, 0).Select(e => e.Name).ToList();
        Assert.Equal([AgentStartPayload.EventName, AgentOutputPayload.StdoutEvent, RunEndPayload.EventName], events);
    }

    [Fact]
    public async Task An_agent_that_exits_after_its_run_was_cancelled_records_its_exit_and_changes_nothing_else()
    {
        var project = await _h.NewProjectAsync("Agents");
        var run = await _h.RunService.CreateAsync(project.Id, "demo", null, null, MediaExecutionPolicy.Default, launchAgent: true);
        await _h.Agents.StartedAsync(new AgentStartPayload(run.RunId, "demo", 4242, "demo.sh", project.Dir));
        await _h.RunService.EndAsync(run.RunId, RunStatuses.Canceled);

        var ended = await _h.RunService.EndAsync(run.RunId, RunStatuses.Failed, new AgentExit(143, "the run ended while its agent was running"));

        Assert.Equal(RunStatuses.Canceled, ended.Run.Status);
        Assert.Equal(new RunAgent("demo", AgentStates.Exited, 4242, 143, "the run ended while its agent was running", ManualClock.Start, ManualClock.Start),
            _h.Runs.Get(run.RunId).Agent);
        Assert.Single(_h.Events.ReadRun(run.RunId, 0), e => e.Name == RunEndPayload.EventName);
    }

    [Fact]
    public async Task A_start_for_a_run_that_already_ended_is_refused_and_stores_nothing()
    {
        var project = await _h.NewProjectAsync("Agents");
        var run = await _h.RunService.CreateAsync(project.Id, "demo", null, null, MediaExecutionPolicy.Default, launchAgent: true);
        await _h.RunService.EndAsync(run.RunId, RunStatuses.Canceled);

        Assert.False(await _h.Agents.StartedAsync(new AgentStartPayload(run.RunId, "demo", 4242, "demo.sh", project.Dir)));
        Assert.Equal(AgentStates.Queued, _h.Runs.Get(run.RunId).Agent!.State);
        Assert.DoesNotContain(_h.Events.ReadRun(run.RunId, 0), e => e.Name == AgentStartPayload.EventName);
    }
}
