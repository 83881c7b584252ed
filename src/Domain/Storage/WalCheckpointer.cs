using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OpenDesign.Workflows.Domain.Storage;

/// <summary>
/// Keeps the write-ahead log short without making a commit wait for a checkpoint. Its own thread copies committed
/// pages into the database every 2 s with PASSIVE, which never blocks the writer (and whose fsync of the database
/// file must not hold a thread-pool worker: on two cores that is half the workers). That alone never rewinds the log
/// under steady load: SQLite starts the log over only when a write begins with every frame already copied, and the
/// writer always commits more while a pass runs, so the log grew for as long as the load lasted (830 MB after 40 s
/// measured), every append extending the file. So once the log is long and a background pass has caught up, the
/// writer copies the few frames committed since then itself, between two batches, and its next batch starts the
/// log over: the file stays at about <see cref="RewindAfterFrames"/> pages and is rewritten in place.
/// </summary>
internal sealed class WalCheckpointer : IDisposable
{
    /// <summary>
    /// 128 MiB of 4 KiB pages: under journal_size_limit (192 MiB) with room for what is committed before the rewind, so
    /// the file is reused, not trimmed and regrown. Each rewind holds one batch for the writer's own pass (two fsyncs:
    /// 2-80 ms measured on one core under the generate load), so it is made rare: about every 4 s at 12,000 requests/s
    /// (2.7 KiB of log per request), where 48 MiB rewound every 1.5 s.
    /// </summary>
    internal const long RewindAfterFrames = 32768;

    /// <summary>A pass that left more than this uncopied (readers holding old pages) does not hand the writer a turn.</summary>
    private const long CaughtUpFrames = 1024;

    /// <summary>What the writer is left to copy at most, once catch-up passes converge: a few batches' frames.</summary>
    private const long TailFrames = 128;

    private const int MaxCatchUpPasses = 8;

    /// <summary>
    /// Every background pass ends in an fsync of the database file, and the commit that follows it waits behind that
    /// flush on the disk (15-25 ms measured on the bench machine's virtual disk, every pass). Fewer, larger passes: each
    /// stall delays the batch in flight once, so at a pass every 2 s instead of every 500 ms a quarter as many requests
    /// see one, and a hot page rewritten by many commits is copied once per pass, not once per 500 ms.
    /// </summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly Database _database;
    private readonly ILogger _logger;
    private readonly long _rewindAfterFrames;
    private readonly TimeSpan _interval;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private int _writerTurn;
    private int _disposed;

    public WalCheckpointer(Database database, ILogger logger, long rewindAfterFrames, TimeSpan interval)
    {
        _database = database;
        _logger = logger;
        _rewindAfterFrames = rewindAfterFrames;
        _interval = interval;
        _thread = new Thread(Run) { IsBackground = true, Name = "OD checkpoint" };
        _thread.Start();
    }

    private void Run()
    {
        while (!_stop.Wait(_interval)) Pass();
    }

    /// <summary>One background pass; also the last one, once the writer has stopped.</summary>
    internal void Pass()
    {
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            var state = _database.Checkpoint();
            if (state.LogFrames < _rewindAfterFrames || state.LogFrames - state.Checkpointed > CaughtUpFrames) return;
            // The writer's own pass copies what was committed while the last pass here ran, and holds its next batch
            // meanwhile: repeat the pass until that is a few batches' worth (a long pass left 15-37 ms for the writer).
            for (var i = 0; i < MaxCatchUpPasses; i++)
            {
                var next = _database.Checkpoint();
                var committedMeanwhile = next.LogFrames - state.LogFrames;
                state = next;
                // A smaller log than before: it was rewound in the meantime, nothing left to hand over.
                if (committedMeanwhile < 0) return;
                if (committedMeanwhile <= TailFrames) break;
            }
            Volatile.Write(ref _writerTurn, 1);
        }
        catch (SqliteException e)
        {
            _logger.LogWarning("WAL checkpoint failed: {Reason}", e.Message);
        }
        finally
        {
            StorageMetrics.CheckpointPass(startedAt, byWriter: false);
        }
    }

    /// <summary>
    /// Called by the writer between batches, outside any transaction: when a background pass has caught up on a long
    /// log, copies what was committed since (PASSIVE, so a reader in the way only makes it stop short), and the next
    /// batch's first write starts the log over.
    /// </summary>
    internal void BeforeBatch(SqliteConnection writer)
    {
        if (Interlocked.Exchange(ref _writerTurn, 0) == 0) return;
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            Database.CheckpointPassive(writer);
        }
        catch (SqliteException e)
        {
            _logger.LogWarning("WAL checkpoint failed: {Reason}", e.Message);
        }
        finally
        {
            StorageMetrics.CheckpointPass(startedAt, byWriter: true);
        }
    }

    /// <summary>Stops the background thread; safe to call more than once (the writer may be disposed twice).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
    }
}
