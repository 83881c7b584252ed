using System.Security.Cryptography;
using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>Putting a request's bytes into its project, on real files: atomic, idempotent, type-checked, size-limited, path-checked, never overwriting.</summary>
public sealed class FulfillmentServiceTests : IAsyncLifetime
{
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3, 4, 5];
    private static readonly byte[] OtherPng = [0x89, (byte)'P', (byte)'N', (byte)'G', 9, 9, 9];
    private static readonly byte[] Mp3 = [(byte)'I', (byte)'D', (byte)'3', 4, 0, 0];

    private readonly DomainHarness _h = new(o => o.MaxUploadBytes = 4096);
    private Project _project = null!;
    private RunCreated _run = null!;

    public async ValueTask InitializeAsync() => (_project, _run) = await _h.NewRunAsync();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private string ProjectDir => _h.ProjectDir(_project.Id);

    [Fact]
    public async Task An_upload_fulfils_into_the_project_under_the_requested_name()
    {
        var request = await _h.NewRequestAsync(_run, output: "My Poster.png");
        Assert.Equal("My-Poster.png", request.RequestedOutput);
        _h.Clock.Advance(TimeSpan.FromMinutes(2));

        var (fulfilled, changed) = await Upload(request.Id, Png, "image/png");

        Assert.True(changed);
        Assert.Equal(MediaRequestStatuses.Fulfilled, fulfilled.Status);
        Assert.Equal(new FulfilledFile("My-Poster.png", "image", "image/png", Png.Length, "My-Poster.png", Sha(Png)), fulfilled.FulfilledFile);
        Assert.Equal(ManualClock.Start + TimeSpan.FromMinutes(2), fulfilled.FulfilledAt);
        Assert.Equal(Png, await File.ReadAllBytesAsync(Path.Combine(ProjectDir, "My-Poster.png")));
        Assert.Equal(["My-Poster.png"], _h.ProjectFiles(_project.Id));
        Assert.Empty(_h.StagingFiles());
        Assert.Equal(fulfilled, _h.Requests.Get(request.Id));
        Assert.Equal(["created", "fulfilled"], Actions());
    }

    [Fact]
    public async Task Without_an_output_the_name_comes_from_the_request()
    {
        var request = await _h.NewRequestAsync(_run, "audio");
        var (fulfilled, _) = await Upload(request.Id, Mp3, "audio/mpeg");

        Assert.Equal($"audio-{request.Id["mreq_".Length..]}.mp3", fulfilled.FulfilledFile!.Name);
        Assert.True(File.Exists(Path.Combine(ProjectDir, fulfilled.FulfilledFile.Path)));
    }

    [Fact]
    public async Task The_type_comes_from_the_file_name_when_the_content_type_is_generic_and_the_extension_follows_it()
    {
        var request = await _h.NewRequestAsync(_run, output: "poster.png");

        var (fulfilled, _) = await Upload(request.Id, Png, "application/octet-stream", "render.webp");

        Assert.Equal(("poster.webp", "image/webp"), (fulfilled.FulfilledFile!.Name, fulfilled.FulfilledFile.Mime));
        Assert.Equal(["poster.webp"], _h.ProjectFiles(_project.Id));
    }

    [Fact]
    public async Task Without_any_type_the_requested_output_decides()
    {
        var request = await _h.NewRequestAsync(_run, "video", "clip.webm");
        var (fulfilled, _) = await Upload(request.Id, Png, null);
        Assert.Equal(("clip.webm", "video/webm", "video"), (fulfilled.FulfilledFile!.Name, fulfilled.FulfilledFile.Mime, fulfilled.FulfilledFile.Kind));
    }

    [Theory]
    [InlineData("image/*", null, "poster.png", "image/png")]
    [InlineData("*/*", "render.webp", "poster.webp", "image/webp")]
    public async Task A_wildcard_content_type_is_no_type_and_the_name_decides(string contentType, string? fileName, string stored, string mime)
    {
        var request = await _h.NewRequestAsync(_run, output: "poster.png");

        var (fulfilled, _) = await Upload(request.Id, Png, contentType, fileName);

        Assert.Equal((stored, mime), (fulfilled.FulfilledFile!.Path, fulfilled.FulfilledFile.Mime));
    }

    [Fact]
    public async Task Bytes_of_an_unknown_type_requested_as_a_page_are_stored_as_bin_never_as_html()
    {
        var request = await _h.NewRequestAsync(_run, output: "evil.html");

        var (fulfilled, _) = await Upload(request.Id, Png, "image/x-evil");

        Assert.Equal(("evil.bin", "image/x-evil"), (fulfilled.FulfilledFile!.Path, fulfilled.FulfilledFile.Mime));
        Assert.Equal(["evil.bin"], _h.ProjectFiles(_project.Id));
    }

    [Fact]
    public async Task The_same_bytes_again_are_idempotent()
    {
        var request = await _h.NewRequestAsync(_run, output: "poster.png");
        var (first, _) = await Upload(request.Id, Png, "image/png");
        _h.Clock.Advance(TimeSpan.FromMinutes(1));

        var (again, changed) = await Upload(request.Id, Png, "image/png");

        Assert.False(changed);
        Assert.Equal(first, again);
        Assert.Equal(["poster.png"], _h.ProjectFiles(_project.Id));
        Assert.Empty(_h.StagingFiles());
        Assert.Equal(["created", "fulfilled"], Actions());
    }

    [Fact]
    public async Task Different_bytes_after_fulfilment_are_409_and_change_nothing()
    {
        var request = await _h.NewRequestAsync(_run, output: "poster.png");
        var (first, _) = await Upload(request.Id, Png, "image/png");

        await Refusal.ExpectAsync(() => Upload(request.Id, OtherPng, "image/png"), 409, ErrorCodes.MediaRequestTerminal);

        Assert.Equal(first, _h.Requests.Get(request.Id));
        Assert.Equal(Png, await File.ReadAllBytesAsync(Path.Combine(ProjectDir, "poster.png")));
        Assert.Equal(["poster.png"], _h.ProjectFiles(_project.Id));
        Assert.Empty(_h.StagingFiles());
        Assert.Equal(["created", "fulfilled"], Actions());
    }

    [Theory]
    [InlineData("audio/mpeg", null, "a image request cannot be fulfilled with audio/mpeg")]
    [InlineData(null, "song.mp3", "a image request cannot be fulfilled with audio/mpeg")]
    [InlineData("text/plain", null, "a image request cannot be fulfilled with text/plain")]
    [InlineData("video/mp4", "poster.png", "a image request cannot be fulfilled with video/mp4")]
    public async Task Bytes_of_another_kind_are_400_and_nothing_is_stored(string? contentType, string? fileName, string message)
    {
        var request = await _h.NewRequestAsync(_run, output: "poster.png");

        var e = await Refusal.ExpectAsync(() => Upload(request.Id, Mp3, contentType, fileName), 400, ErrorCodes.MediaKindMismatch, message);

        Assert.Equal("image", e.Details!["surface"]);
        AssertUntouched(request);
    }

    [Fact]
    public async Task An_upload_over_the_size_limit_is_413_and_leaves_nothing_behind()
    {
        var request = await _h.NewRequestAsync(_run, output: "poster.png");
        var big = new byte[_h.Options.MaxUploadBytes + 1];

        await Refusal.ExpectAsync(() => Upload(request.Id, big, "image/png"), 413, ErrorCodes.PayloadTooLarge,
            "the file is larger than the limit of 4096 bytes");

        AssertUntouched(request);
    }

    [Fact]
    public async Task An_upload_of_exactly_the_limit_is_accepted()
    {
        var request = await _h.NewRequestAsync(_run, output: "poster.png");
        var (fulfilled, _) = await Upload(request.Id, new byte[_h.Options.MaxUploadBytes], "image/png");
        Assert.Equal(_h.Options.MaxUploadBytes, fulfilled.FulfilledFile!.Size);
    }

    [Fact]
    public async Task An_empty_upload_is_400_and_leaves_nothing_behind()
    {
        var request = await _h.NewRequestAsync(_run, output: "poster.png");
        await Refusal.ExpectAsync(() => Upload(request.Id, [], "image/png"), 400, ErrorCodes.BadRequest, "the uploaded file is empty");
        AssertUntouched(request);
    }

    [Fact]
    public async Task A_name_taken_by_a_different_file_picks_the_next_free_name_and_never_overwrites()
    {
        File.WriteAllText(Path.Combine(ProjectDir, "poster.png"), "the user's own poster");
        File.WriteAllText(Path.Combine(ProjectDir, "poster-2.png"), "another one");
        var request = await _h.NewRequestAsync(_run, output: "poster.png");

        var (fulfilled, _) = await Upload(request.Id, Png, "image/png");

        Assert.Equal(("poster-3.png", "poster-3.png"), (fulfilled.FulfilledFile!.Name, fulfilled.FulfilledFile.Path));
        Assert.Equal("the user's own poster", File.ReadAllText(Path.Combine(ProjectDir, "poster.png")));
        Assert.Equal("another one", File.ReadAllText(Path.Combine(ProjectDir, "poster-2.png")));
        Assert.Equal(Png, await File.ReadAllBytesAsync(Path.Combine(ProjectDir, "poster-3.png")));
    }

    [Fact]
    public async Task Two_requests_for_the_same_name_get_separate_files()
    {
        var a = await _h.NewRequestAsync(_run, output: "poster.png");
        var b = await _h.NewRequestAsync(_run, output: "poster.png");

        await Upload(a.Id, Png, "image/png");
        var (fb, _) = await Upload(b.Id, OtherPng, "image/png");

        Assert.Equal("poster-2.png", fb.FulfilledFile!.Name);
        Assert.Equal(Png, await File.ReadAllBytesAsync(Path.Combine(ProjectDir, "poster.png")));
        Assert.Equal(OtherPng, await File.ReadAllBytesAsync(Path.Combine(ProjectDir, "poster-2.png")));
    }

    [Fact]
    public async Task A_link_in_the_way_is_never_written_through()
    {
        var outside = _h.Temp.Combine("outside.png");
        File.WriteAllText(outside, "outside");
        File.CreateSymbolicLink(Path.Combine(ProjectDir, "poster.png"), outside);
        var request = await _h.NewRequestAsync(_run, output: "poster.png");

        var (fulfilled, _) = await Upload(request.Id, Png, "image/png");

        Assert.Equal("poster-2.png", fulfilled.FulfilledFile!.Name);
        Assert.Equal("outside", File.ReadAllText(outside));
    }

    [Fact]
    public async Task A_fulfilment_that_loses_to_a_cancel_after_placing_its_file_removes_the_file()
    {
        var request = await _h.NewRequestAsync(_run, output: "poster.png");
        var placed = Path.Combine(ProjectDir, "poster.png");

        // Hold the writer so the cancel is queued first but not yet committed: the fulfilment still sees "requested",
        // stages and places its file, and only then meets the committed cancel.
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var blocker = _h.Writer.ExecuteAsync(_ =>
        {
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(10));
        });
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10)));
        var cancel = _h.Transitions.CancelAsync(request.Id);
        var fulfil = Task.Run(() => Upload(request.Id, Png, "image/png"));
        var sawPlacement = SpinWait.SpinUntil(() => File.Exists(placed) || fulfil.IsCompleted, TimeSpan.FromSeconds(10));
        release.Set();

        await blocker;
        Assert.Equal(MediaRequestStatuses.Cancelled, (await cancel).Status);
        await Refusal.ExpectAsync(() => fulfil, 409, ErrorCodes.MediaRequestTerminal, "media request is cancelled and cannot become fulfilled");
        Assert.True(sawPlacement);
        Assert.Empty(_h.ProjectFiles(_project.Id));
        Assert.Empty(_h.StagingFiles());
        Assert.Equal(["created", "cancelled"], Actions());
    }

    [Fact]
    public async Task An_ended_request_refuses_an_upload_and_stores_nothing()
    {
        var request = await _h.NewRequestAsync(_run, output: "poster.png");
        await _h.Transitions.CancelAsync(request.Id);

        var e = await Refusal.ExpectAsync(() => Upload(request.Id, Png, "image/png"), 409, ErrorCodes.MediaRequestTerminal, "media request is cancelled");

        Assert.Equal("cancelled", e.Details!["status"]);
        Assert.Empty(_h.ProjectFiles(_project.Id));
        Assert.Empty(_h.StagingFiles());
    }

    [Fact]
    public async Task An_unknown_request_is_404() =>
        await Refusal.ExpectAsync(() => Upload("mreq_000000000000000000000000", Png, "image/png"), 404, ErrorCodes.MediaRequestNotFound);

    [Fact]
    public async Task A_project_file_fulfils_with_its_relative_path()
    {
        Directory.CreateDirectory(Path.Combine(ProjectDir, "renders"));
        await File.WriteAllBytesAsync(Path.Combine(ProjectDir, "renders", "final.png"), Png);
        var request = await _h.NewRequestAsync(_run, output: "poster.png");

        var (fulfilled, changed) = await _h.Fulfillment.FulfillWithProjectFileAsync(request.Id, "renders/final.png", CancellationToken.None);

        Assert.True(changed);
        Assert.Equal(new FulfilledFile("final.png", "image", "image/png", Png.Length, "renders/final.png", Sha(Png)), fulfilled.FulfilledFile);
        Assert.Equal(["renders", "renders/final.png"], _h.ProjectFiles(_project.Id));

        var (again, changedAgain) = await _h.Fulfillment.FulfillWithProjectFileAsync(request.Id, "./renders/final.png", CancellationToken.None);
        Assert.False(changedAgain);
        Assert.Equal(fulfilled, again);
    }

    [Fact]
    public async Task A_project_file_reached_through_an_inside_link_records_the_real_path()
    {
        Directory.CreateDirectory(Path.Combine(ProjectDir, "renders"));
        await File.WriteAllBytesAsync(Path.Combine(ProjectDir, "renders", "final.png"), Png);
        File.CreateSymbolicLink(Path.Combine(ProjectDir, "latest.png"), Path.Combine(ProjectDir, "renders", "final.png"));
        var request = await _h.NewRequestAsync(_run, output: "poster.png");

        var (fulfilled, _) = await _h.Fulfillment.FulfillWithProjectFileAsync(request.Id, "latest.png", CancellationToken.None);

        Assert.Equal("renders/final.png", fulfilled.FulfilledFile!.Path);
    }

    [Fact]
    public async Task A_project_file_of_another_kind_is_400()
    {
        await File.WriteAllBytesAsync(Path.Combine(ProjectDir, "song.mp3"), Mp3);
        var request = await _h.NewRequestAsync(_run, output: "poster.png");

        await Refusal.ExpectAsync(() => _h.Fulfillment.FulfillWithProjectFileAsync(request.Id, "song.mp3", CancellationToken.None),
            400, ErrorCodes.MediaKindMismatch, "a image request cannot be fulfilled with audio/mpeg");
        Assert.Equal(MediaRequestStatuses.Requested, _h.Requests.Get(request.Id).Status);
    }

    [Fact]
    public async Task A_missing_project_file_is_400_file_not_found()
    {
        var request = await _h.NewRequestAsync(_run, output: "poster.png");
        await Refusal.ExpectAsync(() => _h.Fulfillment.FulfillWithProjectFileAsync(request.Id, "nope.png", CancellationToken.None),
            400, ErrorCodes.FileNotFound, "file names no file in the project");
        Assert.Equal(MediaRequestStatuses.Requested, _h.Requests.Get(request.Id).Status);
    }

    public static TheoryData<string> EscapingPaths => new()
    {
        "../outside.png",
        "../proj_other/theirs.png",
        "renders/../../outside.png",
        "/etc/passwd",
        "~/outside.png",
        "leak.png",
        "outdir/outside.png",
        "neighbour.png",
    };

    [Theory]
    [MemberData(nameof(EscapingPaths))]
    public async Task Paths_that_leave_the_project_are_refused_and_the_request_stays_requested(string path)
    {
        var outside = _h.Temp.Combine("outside.png");
        await File.WriteAllBytesAsync(outside, Png);
        var sibling = await _h.NewProjectAsync("other");
        await File.WriteAllBytesAsync(Path.Combine(_h.ProjectDir(sibling.Id), "theirs.png"), Png);
        File.CreateSymbolicLink(Path.Combine(ProjectDir, "leak.png"), outside);
        Directory.CreateSymbolicLink(Path.Combine(ProjectDir, "outdir"), _h.Temp.Path);
        File.CreateSymbolicLink(Path.Combine(ProjectDir, "neighbour.png"), Path.Combine(_h.ProjectDir(sibling.Id), "theirs.png"));
        var request = await _h.NewRequestAsync(_run, output: "poster.png");

        await Refusal.ExpectAsync(() => _h.Fulfillment.FulfillWithProjectFileAsync(request.Id, path, CancellationToken.None), 400, ErrorCodes.PathNotAllowed);

        Assert.Equal(request, _h.Requests.Get(request.Id));
        Assert.Equal(["created"], Actions());
    }

    private Task<(MediaRequest Request, bool Changed)> Upload(string id, byte[] bytes, string? contentType, string? fileName = null) =>
        _h.Fulfillment.FulfillWithUploadAsync(id, new MemoryStream(bytes), contentType, fileName, CancellationToken.None);

    private void AssertUntouched(MediaRequest request)
    {
        Assert.Equal(request, _h.Requests.Get(request.Id));
        Assert.Empty(_h.ProjectFiles(_project.Id));
        Assert.Empty(_h.StagingFiles());
        Assert.Equal(["created"], Actions());
    }

    private string[] Actions() =>
        [.. _h.Events.ReadRun(_run.RunId, 0).Select(e => JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.MediaRequestEvent)!.Action)];

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
