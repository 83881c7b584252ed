using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OpenDesign.Workflows.Domain.Events;

namespace OpenDesign.Workflows.Domain.Storage;

/// <summary>
/// Group commit: one writer connection takes every queued unit of work, runs each inside its own savepoint of a
/// single transaction, commits once (one fsync under synchronous=FULL) and only then completes the callers. A caller
/// is therefore answered only when its change is durable, while concurrent callers share the cost of the fsync. A
/// unit that throws rolls back to its savepoint alone; the rest of the batch still commits.
/// </summary>
public sealed class SqliteWriter : IAsyncDisposable
{
    private const int MaxBatch = 256;

    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new() { SingleReader = true });
    private readonly Database _database;
    private readonly EventHub _hub;
    private readonly ILogger<SqliteWriter> _logger;
    private readonly Task _loop;

    public SqliteWriter(Database database, EventHub hub, ILogger<SqliteWriter> logger)
    {
        _database = database;
        _hub = hub;
        _logger = logger;
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
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

    private async Task RunAsync()
    {
        using var connection = _database.OpenWriter();
        using var statements = new StatementCache(connection);
        var batch = new List<WorkItem>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
            RunBatch(connection, statements, batch);
        }
    }

    private void RunBatch(SqliteConnection connection, StatementCache statements, List<WorkItem> batch)
    {
        var published = new List<StoredEvent>();
        var committed = new List<Action>();
        try
        {
            using var tx = connection.BeginTransaction(deferred: false);
            foreach (var item in batch)
            {
                var ctx = new WriteContext(statements, tx);
                statements.Get("SAVEPOINT unit", tx).ExecuteNonQuery();
                try
                {
                    item.Run(ctx);
                    statements.Get("RELEASE unit", tx).ExecuteNonQuery();
                    published.AddRange(ctx.Appended);
                    committed.AddRange(ctx.Committed);
                }
                catch (Exception e)
                {
                    statements.Get("ROLLBACK TO unit", tx).ExecuteNonQuery();
                    statements.Get("RELEASE unit", tx).ExecuteNonQuery();
                    item.Failed = e;
                }
            }
            tx.Commit();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A write batch of {Count} units failed to commit", batch.Count);
            foreach (var item in batch) item.Fail(e);
            return;
        }
        // Caches learn of the change before any caller is answered, so an answered change is never read stale.
        foreach (var action in committed) action();
        foreach (var item in batch) item.Complete();
        if (published.Count > 0) _hub.Publish(published);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private abstract class WorkItem
    {
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
