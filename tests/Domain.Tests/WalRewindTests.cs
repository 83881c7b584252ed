using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>
/// The write-ahead log is started over while the writer is never idle. SQLite alone rewinds it only when a write
/// begins with every frame already copied, which a busy writer never allows, so without the writer's own catch-up
/// pass the log file grows with everything written.
/// </summary>
public sealed class WalRewindTests
{
    private const int Producers = 16;
    private const int UnitsPerProducer = 200;
    private const int RowChars = 3000;

    [Fact]
    public async Task Under_steady_load_the_log_is_rewound_instead_of_growing_with_everything_written()
    {
        // The units below put about 48 MiB of frames in a log that is never rewound (rows of 3,000 characters in a table
        // and its key index, each batch rewriting its last pages), 4 MiB measured with the catch-up pass.
        await using var store = new ShortLogWriter();
        // Many producers keep the queue full, so a batch always begins right after the previous commit.
        await Task.WhenAll(Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < UnitsPerProducer; i++) await store.InsertAsync($"{p}-{i}-", RowChars);
        })));
        store.LogFile.Refresh();
        Assert.True(store.LogFile.Length < 16L * 1024 * 1024,
            $"the log file is {store.LogFile.Length} bytes after {Producers * UnitsPerProducer} units: it was not rewound");
        Assert.Equal(Producers * UnitsPerProducer, store.Rows());
    }
}
