using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OpenDesign.Workflows.Domain.Events;

namespace OpenDesign.Workflows.Domain.Storage;

/// <summary>
/// Group commit: one writer connection takes every queued unit of work, runs them in a single transaction, commits
/// once (one fsync under synchronous=FULL) and only then completes the callers. A caller is therefore answered only
/// when its change is durable, while concurrent callers share the cost of the fsync. A unit that throws costs its
/// batch a replay with a savepoint per unit, after which it fails alone and the rest still commit.
/// </summary>
public sealed class SqliteWriter : IAsyncDisposable
{
    private const int MaxBatch = 256;

    // Only the writer thread waits on the queue, so a producer may wake it directly instead of through the thread pool.
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new() { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly Database _database;
    private readonly EventHub _hub;
    private readonly ILogger<SqliteWriter> _logger;
    private readonly WalCheckpointer _checkpointer;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Owned by the writer thread: event sequences and run statuses (see WriteContext.NextEventSeq, RunStore.StatusOf).
    private readonly WriterMemory _memory = new();

    public SqliteWriter(Database database, EventHub hub, ILogger<SqliteWriter> logger)
        : this(database, hub, logger, WalCheckpointer.RewindAfterFrames, WalCheckpointer.Interval)
    {
    }

    /// <summary>With a shorter log and pass interval: tests that need the log to rewind within seconds.</summary>
    internal SqliteWriter(Database database, EventHub hub, ILogger<SqliteWriter> logger, long rewindAfterFrames, TimeSpan checkpointInterval)
    {
        _database = database;
        _hub = hub;
        _logger = logger;
        _checkpointer = new WalCheckpointer(database, logger, rewindAfterFrames, checkpointInterval);
        // A thread of its own, not a loop on the thread pool: every batch blocks in fsync for milliseconds, and on a
        // two-core machine the pool starts with two workers, so a blocked worker was half of the service's request
        // capacity until the pool noticed and added one.
        new Thread(Run) { IsBackground = true, Name = "OD writer" }.Start();
    }

    public Task<T> ExecuteAsync<T>(Func<WriteContext, T> work)
    {
        var item = new WorkItem<T>(work);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(item), this);
        return item.Task;
    }

    public Task ExecuteAsync(Action<WriteContext> work) => ExecuteAsync<bool>(ctx =>
    {
        work(ctx);
        return true;
    });

    private void Run()
    {
        try
        {
            using var connection = _database.OpenWriter();
            using var statements = new StatementCache(connection);
            var batch = new List<WorkItem>(MaxBatch);
            while (WaitForWork())
            {
                _checkpointer.BeforeBatch(connection);
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
                RunBatch(connection, statements, batch, Stopwatch.GetTimestamp());
            }
            _stopped.TrySetResult();
        }
        catch (Exception e)
        {
            _stopped.TrySetException(e);
        }
    }

    /// <summary>Blocks the writer thread until work is queued; false once the queue is completed and drained.</summary>
    private bool WaitForWork()
    {
        var ready = _queue.Reader.WaitToReadAsync();
        return ready.IsCompletedSuccessfully ? ready.Result : ready.AsTask().GetAwaiter().GetResult();
    }

    private void RunBatch(SqliteConnection connection, StatementCache statements, List<WorkItem> batch, long startedAt)
    {
        var outcome = TryRunWhole(connection, statements, batch, out var published, out var committed);
        if (outcome == BatchOutcome.UnitFailed)
        {
            // One unit refused (a conflict, a missing row): replay the batch with a savepoint per unit, so it fails alone.
            outcome = RunUnitByUnit(connection, statements, batch, out published, out committed);
        }
        if (outcome == BatchOutcome.CommitFailed) return;
        var committedAt = Stopwatch.GetTimestamp();
        StorageMetrics.Batch(startedAt, committedAt, batch.Count);
        if (StorageMetrics.WaitEnabled)
        {
            foreach (var item in batch) StorageMetrics.Waited(item.QueuedAt, committedAt);
        }
        // Caches learn of the change before any caller is answered, so an answered change is never read stale.
        foreach (var action in committed) action();
        foreach (var item in batch) item.Complete();
        if (published.Count > 0) _hub.Publish(published);
    }

    /// <summary>The common case: every unit succeeds, so the batch runs as one transaction with no savepoints at all.</summary>
    private BatchOutcome TryRunWhole(SqliteConnection connection, StatementCache statements, List<WorkItem> batch,
        out List<StoredEvent> published, out List<Action> committed)
    {
        published = [];
        committed = [];
        using var tx = connection.BeginTransaction(deferred: false);
        foreach (var item in batch)
        {
            var ctx = new WriteContext(statements, tx, _memory);
            try
            {
                item.Run(ctx);
            }
            catch (Exception)
            {
                tx.Rollback();
                _memory.Clear();
                return BatchOutcome.UnitFailed;
            }
            published.AddRange(ctx.Appended);
            committed.AddRange(ctx.Committed);
        }
        return Commit(tx, batch);
    }

    private BatchOutcome RunUnitByUnit(SqliteConnection connection, StatementCache statements, List<WorkItem> batch,
        out List<StoredEvent> published, out List<Action> committed)
    {
        published = [];
        committed = [];
        using var tx = connection.BeginTransaction(deferred: false);
        foreach (var item in batch)
        {
            var ctx = new WriteContext(statements, tx, _memory);
            statements.Get("SAVEPOINT unit", tx).ExecuteNonQuery();
            try
            {
                item.Run(ctx);
                statements.Get("RELEASE unit", tx).ExecuteNonQuery();
                item.Failed = null;
                published.AddRange(ctx.Appended);
                committed.AddRange(ctx.Committed);
            }
            catch (Exception e)
            {
                statements.Get("ROLLBACK TO unit", tx).ExecuteNonQuery();
                statements.Get("RELEASE unit", tx).ExecuteNonQuery();
                // The unit may have taken event sequences, or ended a run, that no longer exist.
                _memory.Clear();
                item.Failed = e;
            }
        }
        return Commit(tx, batch);
    }

    private BatchOutcome Commit(SqliteTransaction tx, List<WorkItem> batch)
    {
        try
        {
            tx.Commit();
            return BatchOutcome.Committed;
        }
        catch (Exception e)
        {
            _memory.Clear();
            _logger.LogError(e, "A write batch of {Count} units failed to commit", batch.Count);
            foreach (var item in batch) item.Fail(e);
            return BatchOutcome.CommitFailed;
        }
    }

    private enum BatchOutcome
    {
        Committed,
        UnitFailed,
        CommitFailed,
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _stopped.Task.ConfigureAwait(false);
        }
        finally
        {
            _checkpointer.Dispose();
            _checkpointer.Pass();
        }
    }

    private abstract class WorkItem
    {
        public long QueuedAt { get; } = Stopwatch.GetTimestamp();

        public Exception? Failed { get; set; }
        public abstract void Run(WriteContext ctx);
        public abstract void Complete();
        public abstract void Fail(Exception e);
    }

    private sealed class WorkItem<T>(Func<WriteContext, T> work) : WorkItem
    {
        private readonly TaskCompletionSource<T> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _tcs.Task;

        public override void Run(WriteContext ctx) => _result = work(ctx);

        public override void Complete()
        {
            if (Failed is not null) _tcs.TrySetException(Failed);
            else _tcs.TrySetResult(_result);
        }

        public override void Fail(Exception e) => _tcs.TrySetException(e);
    }
}
