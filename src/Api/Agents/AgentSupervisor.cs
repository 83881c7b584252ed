using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using OpenDesign.Workflows.Api.Hosting;
using OpenDesign.Workflows.Api.Temporal;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Agents;
using OpenDesign.Workflows.Domain.Projects;
using OpenDesign.Workflows.Domain.Runs;

namespace OpenDesign.Workflows.Api.Agents;

/// <summary>
/// Starts a run's configured agent and stays with it until it exits: its <c>start</c> event, its output as
/// <c>stdout</c>/<c>stderr</c> events (bounded lines, rate-limited), and the run's end with its exit (through
/// <see cref="RunEnding"/>, like any other end). It lives in the Api, not in Domain, because it is a hosted service of
/// the server and <c>OD_DAEMON_URL</c> is the server's own address; the rules it applies (environment, prompt) are Domain's.
/// It is not a workflow: a process cannot outlive the service that started it, so after a restart its runs end
/// <c>failed</c> instead of being resumed.
/// </summary>
internal sealed class AgentSupervisor(
    AgentSettings settings,
    RunAgents agents,
    RunService runs,
    RunStore runStore,
    ProjectStore projects,
    OdOptions options,
    RunEndSignals signals,
    RunEnding ending,
    AgentSecretsSource secrets,
    IServer server,
    IConfiguration configuration,
    IOptions<TemporalOptions> temporal,
    ILogger<AgentSupervisor> logger) : IHostedService, IDisposable
{
    public const string RestartReason = "the service restarted while this run's agent was running; an agent process cannot be re-attached";
    public const string StoppingReason = "the service stopped while this run's agent was running";
    public const string RunEndedReason = "the run ended while its agent was running";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly TimeSpan OutputDrainLimit = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _slots = new(settings.MaxConcurrent);
    private readonly ConcurrentDictionary<string, Supervised> _live = new(StringComparer.Ordinal);
    private readonly string? _setsid = FindOnPath("setsid");

    /// <summary>
    /// The agent a new run starts, or null when it starts none: <paramref name="launch"/> false, or no
    /// <paramref name="launch"/> and an <paramref name="agentId"/> that is not configured (the orchestrator drives its
    /// own agent, as before agents existed). Asking to launch an agent that is not configured is refused.
    /// </summary>
    public AgentDefinition? Resolve(string? agentId, bool? launch)
    {
        if (launch == false) return null;
        if (agentId is not null && settings.Agents.TryGetValue(agentId, out var agent)) return agent;
        if (launch != true) return null;
        var configured = settings.Ids.ToArray();
        var message = agentId is null
            ? "launch needs an agentId naming a configured agent"
            : $"no agent '{agentId}' is configured; configured: {(configured.Length == 0 ? "none" : string.Join(", ", configured))}";
        throw new DomainException(DomainErrorKind.Invalid, ErrorCodes.AgentUnknown, message, new Dictionary<string, object?> { ["configured"] = configured });
    }

    /// <summary>Creates the run and, when it names a configured agent to launch, queues the agent's start.</summary>
    public async Task<RunCreated> CreateRunAsync(
        string projectId, string? agentId, bool? launch, string? message, string? conversationId, MediaExecutionPolicy policy)
    {
        var agent = Resolve(agentId, launch);
        var created = await runs.CreateAsync(projectId, agentId, message, conversationId, policy, launchAgent: agent is not null);
        if (agent is not null)
        {
            var supervised = new Supervised();
            _live[created.RunId] = supervised;
            supervised.Task = Task.Run(() => SuperviseAsync(created, agent, supervised));
        }
        return created;
    }

    public IReadOnlyList<AgentInfo> List() =>
        [.. settings.Ids.Select(id => settings.Agents[id]).Select(a => new AgentInfo(a.Id, Path.GetFileName(a.Command), a.Args, a.Timeout?.ToString()))];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (temporal.Value.WorkerOnly) return;
        signals.Ended += OnRunEnded;
        var orphans = await agents.FailOrphansAsync(RestartReason);
        foreach (var ended in orphans) StopOrphan(ended.Run);
        if (orphans.Count > 0)
        {
            logger.LogWarning("{Count} runs had an agent running when the service stopped; they ended as failed", orphans.Count);
            // Their external requests end through the workflow engine, which may still be connecting: not on start-up's path.
            _ = Task.Run(async () =>
            {
                foreach (var ended in orphans) await ending.AfterEndAsync(ended);
            }, CancellationToken.None);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        signals.Ended -= OnRunEnded;
        var running = _live.Values.ToList();
        foreach (var supervised in running) supervised.RequestStop(StoppingReason);
        try
        {
            await Task.WhenAll(running.Select(s => s.Task)).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("The service stopped before every agent process had been stopped");
        }
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>
    /// An agent the previous service started may still be running (a crash does not take its process group along).
    /// Its token is already revoked; its group is killed too, but only when one of its processes still carries the
    /// run's <c>OD_RUN_ID</c>, so a reused pid never costs an unrelated process its life.
    /// </summary>
    private void StopOrphan(Run run)
    {
        if (run.Agent?.Pid is not { } groupId || groupId <= 1) return;
        var marker = "OD_RUN_ID=" + run.Id + "\0";
        foreach (var pid in ProcessGroups.Members(groupId))
        {
            string environ;
            try
            {
                environ = File.ReadAllText($"/proc/{pid}/environ");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (!environ.StartsWith(marker, StringComparison.Ordinal) && !environ.Contains("\0" + marker, StringComparison.Ordinal)) continue;
            logger.LogWarning("Killing process group {Pid}, left running by the agent of run {RunId} before the restart", groupId, run.Id);
            ProcessGroups.Signal(groupId, ProcessGroups.SIGKILL);
            return;
        }
    }

    private void OnRunEnded(string runId)
    {
        // Called on the writer's thread: only hand the stop off.
        if (_live.TryGetValue(runId, out var supervised)) supervised.RequestStop(RunEndedReason);
    }

    private async Task SuperviseAsync(RunCreated created, AgentDefinition agent, Supervised supervised)
    {
        var runId = created.RunId;
        var status = RunStatuses.Failed;
        AgentExit exit;
        var slot = false;
        try
        {
            try
            {
                await _slots.WaitAsync(supervised.Stop.Token);
                slot = true;
            }
            catch (OperationCanceledException)
            {
                exit = new AgentExit(null, (supervised.Reason ?? RunEndedReason) + " (it was still queued)");
                return;
            }
            (status, exit) = await RunProcessAsync(created, agent, supervised);
        }
#pragma warning disable CA1031 // Whatever went wrong, the run must end and its slot be freed.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "Supervising the agent {AgentId} of run {RunId} failed", agent.Id, runId);
            exit = new AgentExit(null, "the agent could not be supervised: " + e.Message);
        }
        finally
        {
            if (slot) _slots.Release();
        }
        await EndAsync(runId, status, exit);
        _live.TryRemove(runId, out _);
    }

    private async Task EndAsync(string runId, string status, AgentExit exit)
    {
        try
        {
            await ending.EndAsync(runId, status, exit);
        }
#pragma warning disable CA1031 // Logged: a failed end leaves the run running, and a restart fails it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "Ending run {RunId} after its agent exited failed", runId);
        }
    }

    private async Task<(string Status, AgentExit Exit)> RunProcessAsync(RunCreated created, AgentDefinition agent, Supervised supervised)
    {
        var runId = created.RunId;
        var run = runStore.Get(runId);
        var project = projects.Get(run.ProjectId);
        var prompt = PromptComposer.ForRun(run, project);
        var promptFile = WritePromptFile(runId, prompt);
        var cwd = agent.WorkingDirectory ?? project.Dir;
        Directory.CreateDirectory(cwd);

        IReadOnlyDictionary<string, string> environment;
        try
        {
            var values = new AgentRunValues(settings.OdBin, DaemonUrl(), project.Id, project.Dir, options.DataDir, runId, promptFile, created.ToolToken);
            environment = AgentEnvironment.Build(agent, values, ServiceEnvironment(), secrets.Current(runStore.ExecutorAuthEnvNames()));
        }
        catch (AgentEnvironmentRefusedException e)
        {
            return (RunStatuses.Failed, new AgentExit(null, e.Message));
        }
        if (_setsid is null) return (RunStatuses.Failed, new AgentExit(null, "setsid was not found on the service's PATH; agents cannot be started"));

        var start = new ProcessStartInfo(_setsid)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = Utf8,
            StandardOutputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
            WorkingDirectory = cwd,
        };
        // setsid makes the agent the leader of a new session and process group (same pid), so the whole tree can be stopped.
        start.ArgumentList.Add(agent.Command);
        foreach (var arg in agent.Args) start.ArgumentList.Add(arg);
        start.Environment.Clear();
        foreach (var (name, value) in environment) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var pid = process.Id;
        logger.LogInformation("Started agent {AgentId} for run {RunId}: pid {Pid}, {Command} in {Cwd}", agent.Id, runId, pid, agent.Command, cwd);
        if (!await agents.StartedAsync(new AgentStartPayload(runId, agent.Id, pid, Path.GetFileName(agent.Command), cwd)))
        {
            await StopGroupAsync(pid, process);
            return (RunStatuses.Failed, new AgentExit(null, RunEndedReason));
        }

        var stdin = FeedAsync(process, prompt);
        using var pumps = new CancellationTokenSource();
        var output = Channel.CreateBounded<(string Name, string Data)>(new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var rate = new OutputRate(settings.OutputLinesPerSecond, settings.OutputBurst);
        var reading = Task.WhenAll(
            PumpAsync(process.StandardOutput, AgentOutputPayload.StdoutEvent, rate, output.Writer, pumps.Token),
            PumpAsync(process.StandardError, AgentOutputPayload.StderrEvent, rate, output.Writer, pumps.Token));
        var storing = StoreAsync(runId, output.Reader);

        string? reason = null;
        using (var timeout = agent.Timeout is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource())
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, supervised.Stop.Token))
        {
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                reason = timeout.IsCancellationRequested ? $"the agent timed out after {agent.Timeout}" : supervised.Reason;
            }
        }
        // Exited or not: whatever is left of its process group goes with it, so nothing it started outlives the run.
        await StopGroupAsync(pid, process);
        await process.WaitForExitAsync();

        try
        {
            await reading.WaitAsync(OutputDrainLimit);
        }
        catch (TimeoutException)
        {
            // Something that left the group still holds the pipes open; the agent is gone, so stop listening.
            await pumps.CancelAsync();
        }
        catch (OperationCanceledException)
        {
        }
        output.Writer.TryComplete();
        await storing;
        await stdin;

        var code = process.ExitCode;
        if (reason is not null) return (RunStatuses.Failed, new AgentExit(code, reason));
        return code == 0
            ? (RunStatuses.Succeeded, new AgentExit(0, null))
            : (RunStatuses.Failed, new AgentExit(code, $"the agent exited with code {code}"));
    }

    private string WritePromptFile(string runId, string prompt)
    {
        var dir = Path.Combine(options.DataDir, "agents", runId);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "prompt.md");
        File.WriteAllText(path, prompt, Utf8);
        return path;
    }

    private static async Task FeedAsync(Process process, string prompt)
    {
        try
        {
            await process.StandardInput.WriteAsync(prompt);
            await process.StandardInput.FlushAsync();
        }
        catch (IOException)
        {
            // The agent does not read its stdin (it has OD_PROMPT_FILE): not an error.
        }
        finally
        {
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task PumpAsync(StreamReader source, string name, OutputRate rate, ChannelWriter<(string, string)> output, CancellationToken cancellationToken)
    {
        var lines = new LineReader(source, settings.MaxLineLength);
        long dropped = 0;
        try
        {
            while (await lines.ReadAsync(cancellationToken) is { } line)
            {
                if (!rate.TryTake())
                {
                    dropped++;
                    continue;
                }
                if (dropped > 0)
                {
                    await output.WriteAsync(Dropped(name, dropped), cancellationToken);
                    dropped = 0;
                }
                var payload = new AgentOutputPayload(line.Text, line.Cut > 0 ? line.Cut : null);
                await output.WriteAsync((name, JsonSerializer.Serialize(payload, OdJsonContext.Default.AgentOutputPayload)), cancellationToken);
            }
            if (dropped > 0) await output.WriteAsync(Dropped(name, dropped), cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
    }

    private static (string, string) Dropped(string stream, long lines) =>
        (AgentOutputDropped.EventName, JsonSerializer.Serialize(new AgentOutputDropped(stream, lines), OdJsonContext.Default.AgentOutputDropped));

    /// <summary>Output events in batches, one unit of the writer each: a chatty agent costs one commit per batch, not per line.</summary>
    private async Task StoreAsync(string runId, ChannelReader<(string Name, string Data)> output)
    {
        var batch = new List<(string, string)>(256);
        while (await output.WaitToReadAsync())
        {
            while (batch.Count < 256 && output.TryRead(out var item)) batch.Add(item);
            await agents.AppendOutputAsync(runId, [.. batch]);
            batch.Clear();
        }
    }

    /// <summary>SIGTERM to the agent's process group, then SIGKILL to whatever is left after the grace period.</summary>
    private async Task StopGroupAsync(int groupId, Process process)
    {
        if (!ProcessGroups.Signal(groupId, ProcessGroups.SIGTERM))
        {
            // No group (yet): setsid may not have run. The process itself, at least, must go.
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            return;
        }
        var deadline = Stopwatch.GetTimestamp() + (long)(settings.KillGrace.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && ProcessGroups.Exists(groupId)) await Task.Delay(20);
        if (ProcessGroups.Exists(groupId)) ProcessGroups.Signal(groupId, ProcessGroups.SIGKILL);
    }

    private string DaemonUrl()
    {
        if (settings.DaemonUrl.Length > 0) return settings.DaemonUrl;
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        var url = addresses?.FirstOrDefault() ?? ListenAddresses.From(configuration).First();
        // An agent on this machine reaches a wildcard binding through loopback.
        return url.Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://+", "://127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }

    private static Dictionary<string, string?> ServiceEnvironment()
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables()) env[(string)entry.Key] = entry.Value as string;
        return env;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    /// <summary>One run's agent while it is queued or running: how to stop it, and why it was stopped.</summary>
    private sealed class Supervised
    {
        private string? _reason;

        public CancellationTokenSource Stop { get; } = new();

        public Task Task { get; set; } = Task.CompletedTask;

        public string? Reason => Volatile.Read(ref _reason);

        public void RequestStop(string reason)
        {
            if (Interlocked.CompareExchange(ref _reason, reason, null) is not null) return;
            // Not inline: cancellation callbacks would run on the caller's thread (the writer's, for a run end).
            _ = Task.Run(Stop.Cancel);
        }
    }
}
