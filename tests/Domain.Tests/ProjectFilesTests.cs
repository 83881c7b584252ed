using System.Diagnostics;
using System.Security.Cryptography;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>
/// Opening a project file on the real file system: once, as a regular file, beneath the project, with no link swapped
/// in between the check and the open able to reach outside.
/// </summary>
public sealed class ProjectFilesTests : IAsyncLifetime
{
    private static readonly byte[] Inside = [0x89, (byte)'P', (byte)'N', (byte)'G', (byte)'i', (byte)'n'];
    private static readonly byte[] Outside = [0x89, (byte)'P', (byte)'N', (byte)'G', (byte)'O', (byte)'U', (byte)'T'];
    private readonly DomainHarness _h = new();
    private Project _project = null!;
    private RunCreated _run = null!;

    public async ValueTask InitializeAsync() => (_project, _run) = await _h.NewRunAsync();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private string ProjectDir => _h.ProjectDir(_project.Id);

    [Fact]
    public async Task A_link_swapped_in_and_out_while_files_are_opened_never_reaches_outside()
    {
        var outside = _h.Temp.Combine("outside.png");
        await File.WriteAllBytesAsync(outside, Outside);
        using var swapper = new Swapper(ProjectDir, "swap.png", outside);

        int served = 0, refused = 0;
        for (var i = 0; i < 3000; i++)
        {
            try
            {
                using var file = ProjectFiles.Open(ProjectDir, "swap.png", DomainErrorKind.NotFound, "missing");
                Assert.Equal(Inside, ReadAll(file.Stream));
                served++;
            }
            catch (DomainException e)
            {
                Assert.Equal((400, ErrorCodes.PathNotAllowed), (e.Status, e.Code));
                refused++;
            }
        }

        swapper.Stop();
        Assert.True(swapper.Swaps > 0, "the link was never swapped in");
        Assert.True(served > 0 && refused > 0, $"served {served}, refused {refused}: the race was not exercised");
    }

    [Fact]
    public async Task A_file_fulfilment_during_a_link_swap_never_copies_the_outside_file()
    {
        var outside = _h.Temp.Combine("outside.png");
        await File.WriteAllBytesAsync(outside, Outside);
        var requests = new List<MediaRequest>();
        for (var i = 0; i < 150; i++) requests.Add(await _h.NewRequestAsync(_run, output: "poster.png"));
        using var swapper = new Swapper(ProjectDir, "swap.png", outside);

        var fulfilled = 0;
        foreach (var request in requests)
        {
            try
            {
                var (done, _) = await _h.Fulfillment.FulfillWithProjectFileAsync(request.Id, "swap.png", CancellationToken.None);
                Assert.Equal(Sha(Inside), done.FulfilledFile!.Sha256);
                fulfilled++;
            }
            catch (DomainException e)
            {
                Assert.Equal((400, ErrorCodes.PathNotAllowed), (e.Status, e.Code));
            }
        }

        swapper.Stop();
        Assert.True(fulfilled > 0, "no fulfilment got through: the race was not exercised");
    }

    [Fact]
    public async Task A_fifo_is_refused_at_once_instead_of_waiting_for_a_writer()
    {
        var fifo = Path.Combine(ProjectDir, "fifo.png");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
        var request = await _h.NewRequestAsync(_run, output: "poster.png");
        const string message = "path names a special file (a FIFO, socket or device); only regular files are read";

        // Run off the test thread: before the fix the open blocks for ever, and the guard turns that into a failure.
        var open = Task.Run(() => Refusal.Expect(() => ProjectFiles.Open(ProjectDir, "fifo.png", DomainErrorKind.NotFound, "missing"), 400, ErrorCodes.NotARegularFile, message));
        await open.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var fulfil = Task.Run(() => Refusal.ExpectAsync(() => _h.Fulfillment.FulfillWithProjectFileAsync(request.Id, "fifo.png", CancellationToken.None),
            400, ErrorCodes.NotARegularFile, message));
        await fulfil.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(MediaRequestStatuses.Requested, _h.Requests.Get(request.Id).Status);
    }

    [Fact]
    public void A_directory_is_no_file()
    {
        Directory.CreateDirectory(Path.Combine(ProjectDir, "renders"));
        Refusal.Expect(() => ProjectFiles.Open(ProjectDir, "renders", DomainErrorKind.NotFound, "no such file"), 404, ErrorCodes.FileNotFound, "no such file");
    }

    [Fact]
    public void A_symbolic_link_loop_is_path_not_allowed()
    {
        File.CreateSymbolicLink(Path.Combine(ProjectDir, "a.png"), "b.png");
        File.CreateSymbolicLink(Path.Combine(ProjectDir, "b.png"), "a.png");
        Refusal.Expect(() => ProjectFiles.Open(ProjectDir, "a.png", DomainErrorKind.NotFound, "missing"), 400, ErrorCodes.PathNotAllowed,
            "path cannot be resolved: a symbolic link loops");
    }

    [Fact]
    public void A_name_longer_than_the_file_system_allows_is_path_not_allowed() =>
        Refusal.Expect(() => ProjectFiles.Open(ProjectDir, new string('a', 300) + ".png", DomainErrorKind.NotFound, "missing"), 400, ErrorCodes.PathNotAllowed,
            "path has a name longer than the file system allows");

    [Fact]
    public async Task A_link_inside_the_project_is_opened_at_its_target_and_reports_the_real_path()
    {
        Directory.CreateDirectory(Path.Combine(ProjectDir, "renders"));
        await File.WriteAllBytesAsync(Path.Combine(ProjectDir, "renders", "final.png"), Inside);
        File.CreateSymbolicLink(Path.Combine(ProjectDir, "latest.png"), Path.Combine(ProjectDir, "renders", "final.png"));

        using var file = ProjectFiles.Open(ProjectDir, "latest.png", DomainErrorKind.NotFound, "missing");

        Assert.Equal(("renders/final.png", "final.png"), (file.RelativePath, file.Name));
        Assert.Equal(Inside, ReadAll(file.Stream));
    }

    [Fact]
    public async Task A_hard_link_is_the_file_itself_and_is_served()
    {
        // Documented decision (docs/api.md): a hard link is not a pointer that can lead outside; it is the same file,
        // and making one needs ownership of it (fs.protected_hardlinks), so whoever made it could have copied it in.
        var outside = _h.Temp.Combine("outside.png");
        await File.WriteAllBytesAsync(outside, Outside);
        Assert.Equal(0, UnixFiles.LinkNoReplace(outside, Path.Combine(ProjectDir, "hard.png")));

        using var file = ProjectFiles.Open(ProjectDir, "hard.png", DomainErrorKind.NotFound, "missing");

        Assert.Equal(Outside, ReadAll(file.Stream));
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Swaps a name between a regular file and a link to an outside file, each swap one atomic rename.</summary>
    private sealed class Swapper : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;

        public Swapper(string dir, string name, string outside)
        {
            var target = Path.Combine(dir, name);
            File.WriteAllBytes(target, Inside);
            _thread = new Thread(() =>
            {
                var file = Path.Combine(dir, ".swap-file");
                var link = Path.Combine(dir, ".swap-link");
                while (!_stop)
                {
                    File.CreateSymbolicLink(link, outside);
                    File.Move(link, target, overwrite: true);
                    Swaps++;
                    File.WriteAllBytes(file, Inside);
                    File.Move(file, target, overwrite: true);
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public int Swaps { get; private set; }

        public void Stop()
        {
            _stop = true;
            _thread.Join();
        }

        public void Dispose() => Stop();
    }
}
