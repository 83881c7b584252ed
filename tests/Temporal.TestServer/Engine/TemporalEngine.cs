using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Temporalio.Api.Enums.V1;
using OpenDesign.Workflows.Temporal.TestServer.Grpc;
using OpenDesign.Workflows.Temporal.TestServer.Visibility;

namespace OpenDesign.Workflows.Temporal.TestServer.Engine;

// The in-memory "history + matching" service behind the frontend RPCs. One lock guards all of it:
// tests run a handful of workflows, and a single lock makes every transition (append events,
// schedule tasks, arm timers) atomic, which is what a real server gets from its per-workflow
// mutable-state lock plus transactional persistence. Long polls wait outside the lock.
internal sealed partial class TemporalEngine : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, NamespaceRecord> _namespaces = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Ns, string WorkflowId), List<WorkflowRun>> _runsByWorkflowId = [];
    private readonly Dictionary<(string Ns, string RunId), WorkflowRun> _runsByRunId = [];
    private readonly Dictionary<ByteString, object> _tokens = [];
    private readonly ILogger _logger;
    private long _runSequence;
    private int _resultWaiters;
    private int _skipScheduled;

    public TemporalEngine(TestServerOptions options, ILogger<TemporalEngine> logger)
    {
        Options = options;
        _logger = logger;
        Clock = new ServerClock();
        Broker = new TaskQueueBroker();
        SearchAttributes = new SearchAttributeRegistry(options.SearchAttributes);
        foreach (var ns in options.Namespaces.Append("default").Distinct(StringComparer.Ordinal))
        {
            _namespaces[ns] = new NamespaceRecord(ns, Guid.NewGuid().ToString());
        }
    }

    public TestServerOptions Options { get; }
    public ServerClock Clock { get; }
    public TaskQueueBroker Broker { get; }
    public SearchAttributeRegistry SearchAttributes { get; }

    public IReadOnlyCollection<NamespaceRecord> Namespaces
    {
        get
        {
            lock (_gate)
            {
                return [.. _namespaces.Values];
            }
        }
    }

    public NamespaceRecord RequireNamespace(string ns)
    {
        lock (_gate)
        {
            return _namespaces.TryGetValue(ns, out var record) ? record : throw RpcErrors.NamespaceNotFound(ns);
        }
    }

    public bool TryRegisterNamespace(string ns)
    {
        lock (_gate)
        {
            if (_namespaces.ContainsKey(ns))
            {
                return false;
            }
            _namespaces[ns] = new NamespaceRecord(ns, Guid.NewGuid().ToString());
            return true;
        }
    }

    // Finds a run: a given run id, or the latest run of the workflow id when none is given (how the
    // SDK's handles follow continue-as-new and describe "the workflow").
    private WorkflowRun FindRun(string ns, string workflowId, string? runId)
    {
        if (!_namespaces.ContainsKey(ns))
        {
            throw RpcErrors.NamespaceNotFound(ns);
        }
        if (!string.IsNullOrEmpty(runId))
        {
            if (_runsByRunId.TryGetValue((ns, runId), out var run) && run.WorkflowId == workflowId)
            {
                return run;
            }
        }
        else if (_runsByWorkflowId.TryGetValue((ns, workflowId), out var runs) && runs.Count > 0)
        {
            return runs[^1];
        }
        throw RpcErrors.NotFound($"workflow not found for ID: {workflowId}");
    }

    private WorkflowRun? CurrentRun(string ns, string workflowId) =>
        _runsByWorkflowId.TryGetValue((ns, workflowId), out var runs) && runs.Count > 0 ? runs[^1] : null;

    private ByteString IssueToken(object lease)
    {
        var token = ByteString.CopyFrom(Guid.NewGuid().ToByteArray());
        _tokens[token] = lease;
        return token;
    }

    private T ResolveToken<T>(ByteString token, string what)
        where T : class =>
        _tokens.TryGetValue(token, out var lease) && lease is T typed
            ? typed
            : throw RpcErrors.NotFound($"{what} not found");

    private void RevokeToken(ByteString? token)
    {
        if (token is not null)
        {
            _tokens.Remove(token);
        }
    }

    // ---- time skipping ----

    // Counted by the history long-poll for the close event, i.e. while someone awaits a result.
    private IDisposable AwaitingResult()
    {
        Interlocked.Increment(ref _resultWaiters);
        RequestTimeSkipCheck();
        return new Releaser(() => Interlocked.Decrement(ref _resultWaiters));
    }

    // Called after every state change. The check runs on the thread pool, outside whatever lock the
    // caller holds, because skipping fires timers that take the engine lock themselves.
    private void RequestTimeSkipCheck()
    {
        if (!Options.TimeSkipping || Interlocked.Exchange(ref _skipScheduled, 1) == 1)
        {
            return;
        }
        ThreadPool.QueueUserWorkItem(_ =>
        {
            Volatile.Write(ref _skipScheduled, 0);
            // Skip repeatedly: a fired timer may schedule work (then we stop) or nothing (keep going).
            for (var i = 0; i < 1000 && Volatile.Read(ref _resultWaiters) > 0 && IsIdle(); i++)
            {
                if (!Clock.SkipToNextTimer())
                {
                    return;
                }
            }
        });
    }

    // Idle = nothing a worker could be doing or about to do: no workflow task in flight, no
    // activity queued or running, no query waiting. Activities in retry backoff count as idle
    // (they wait on a timer, which is exactly what skipping is for).
    private bool IsIdle()
    {
        lock (_gate)
        {
            foreach (var runs in _runsByWorkflowId.Values)
            {
                foreach (var run in runs)
                {
                    if (run.Queries.Count > 0)
                    {
                        return false;
                    }
                    if (!run.IsOpen)
                    {
                        continue;
                    }
                    if (run.WorkflowTask is not null || run.Activities.Values.Any(a => a.Phase != ActivityPhase.Backoff))
                    {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    public void AdvanceTime(TimeSpan by) => Clock.Advance(by);

    public void Dispose() => Clock.Dispose();

    private sealed class Releaser(Action release) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                release();
            }
        }
    }
}

internal sealed record NamespaceRecord(string Name, string Id);

internal static class EngineLog
{
    public static void UnsupportedCommand(this ILogger logger, CommandType type, string workflowId) =>
        logger.LogWarning("Workflow {WorkflowId} sent command {CommandType}, which the test server does not support", workflowId, type);
}
