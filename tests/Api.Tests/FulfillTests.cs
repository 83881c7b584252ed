using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests;

public sealed class FulfillTests : IDisposable
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];
    private readonly TempDir _dir = new();

    [Fact]
    public async Task Raw_bytes_land_in_the_project_under_the_requested_name_and_are_served_back()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);

        using var response = await api.FulfillBytesAsync(request.Id, Png, "image/png");
        var fulfilled = await OdClient.ReadAsync(response, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
        Assert.Equal(MediaRequestStatuses.Fulfilled, fulfilled.Status);
        Assert.NotNull(fulfilled.FulfilledAt);
        Assert.Equal(new FulfilledFile("poster.png", "image", "image/png", Png.Length, "poster.png", Convert.ToHexStringLower(SHA256.HashData(Png))), fulfilled.FulfilledFile);
        Assert.Equal(Png, await File.ReadAllBytesAsync(Path.Combine(project.Dir, "poster.png")));
        Assert.Equal(Png, await api.Http.GetByteArrayAsync($"/api/projects/{project.Id}/files/poster.png"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_dir.Path, "staging")));

        var frames = await SseClient.ReadToEndAsync(api.Http, $"/api/runs/{run.RunId}/events?follow=false");
        Assert.Equal(["created", "fulfilled"], frames.Select(f => Action(f.Data)));
    }

    [Fact]
    public async Task Multipart_upload_fulfils_too()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken, """{"surface":"audio","prompt":"jingle","output":"jingle"}""");

        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent([1, 2, 3]);
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/mpeg");
        form.Add(new StringContent("ignored"), "note");
        form.Add(file, "file", "take1.mp3");
        using var response = await api.Http.PostAsync($"/api/media-requests/{request.Id}/fulfill", form);
        var fulfilled = await OdClient.ReadAsync(response, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
        Assert.Equal("jingle.mp3", fulfilled.FulfilledFile!.Path);
        Assert.Equal("audio/mpeg", fulfilled.FulfilledFile.Mime);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(Path.Combine(project.Dir, "jingle.mp3")));
    }

    [Fact]
    public async Task A_file_already_in_the_project_can_be_named()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);
        Directory.CreateDirectory(Path.Combine(project.Dir, "renders"));
        await File.WriteAllBytesAsync(Path.Combine(project.Dir, "renders", "final.webp"), Png);

        using var response = await api.PostJsonAsync($"/api/media-requests/{request.Id}/fulfill", """{"file":"renders/final.webp"}""");
        var fulfilled = await OdClient.ReadAsync(response, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
        Assert.Equal(new FulfilledFile("final.webp", "image", "image/webp", Png.Length, "renders/final.webp", Convert.ToHexStringLower(SHA256.HashData(Png))), fulfilled.FulfilledFile);
    }

    [Theory]
    [InlineData("/etc/passwd", ErrorCodes.PathNotAllowed)]
    [InlineData("../../app.sqlite", ErrorCodes.PathNotAllowed)]
    [InlineData("renders/../../x.png", ErrorCodes.PathNotAllowed)]
    [InlineData("escape.png", ErrorCodes.PathNotAllowed)]
    [InlineData("linkdir/secret.png", ErrorCodes.PathNotAllowed)]
    [InlineData("other-project.png", ErrorCodes.PathNotAllowed)]
    [InlineData("missing.png", ErrorCodes.FileNotFound)]
    public async Task Unsafe_paths_are_refused_and_the_request_stays_open(string path, string code)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        var (otherProject, _) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);
        var outside = Path.Combine(_dir.Path, "outside");
        Directory.CreateDirectory(outside);
        await File.WriteAllBytesAsync(Path.Combine(outside, "secret.png"), Png);
        await File.WriteAllBytesAsync(Path.Combine(otherProject.Dir, "theirs.png"), Png);
        File.CreateSymbolicLink(Path.Combine(project.Dir, "escape.png"), Path.Combine(outside, "secret.png"));
        Directory.CreateSymbolicLink(Path.Combine(project.Dir, "linkdir"), outside);
        File.CreateSymbolicLink(Path.Combine(project.Dir, "other-project.png"), Path.Combine(otherProject.Dir, "theirs.png"));

        using var response = await api.PostJsonAsync($"/api/media-requests/{request.Id}/fulfill", $$"""{"file":"{{path}}"}""");
        await OdClient.ProblemAsync(response, HttpStatusCode.BadRequest, code);
        var after = await api.GetRequestAsync(request.Id);
        Assert.Equal(MediaRequestStatuses.Requested, after.Status);
        Assert.Null(after.FulfilledFile);
        Assert.Equal(1, app.Count("events", "run_id = $r", ("$r", run.RunId)));
    }

    [Fact]
    public async Task The_same_bytes_again_is_idempotent_and_different_bytes_conflict()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);
        using var first = await api.FulfillBytesAsync(request.Id, Png, "image/png");
        var fulfilled = await OdClient.ReadAsync(first, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);

        using var again = await api.FulfillBytesAsync(request.Id, Png, "image/png");
        Assert.Equal(fulfilled, await OdClient.ReadAsync(again, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest));
        using var different = await api.FulfillBytesAsync(request.Id, [9, 9, 9], "image/png");
        await OdClient.ProblemAsync(different, HttpStatusCode.Conflict, ErrorCodes.MediaRequestTerminal);

        Assert.Equal(Png, await File.ReadAllBytesAsync(Path.Combine(project.Dir, "poster.png")));
        Assert.Single(Directory.EnumerateFiles(project.Dir));
        Assert.Equal(2, app.Count("events", "run_id = $r", ("$r", run.RunId)));
    }

    [Fact]
    public async Task An_existing_file_with_the_requested_name_is_never_overwritten()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        await File.WriteAllTextAsync(Path.Combine(project.Dir, "poster.png"), "mine");
        var request = await api.GenerateOkAsync(run.ToolToken);
        using var response = await api.FulfillBytesAsync(request.Id, Png, "image/png");
        var fulfilled = await OdClient.ReadAsync(response, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
        Assert.Equal("poster-2.png", fulfilled.FulfilledFile!.Path);
        Assert.Equal("mine", await File.ReadAllTextAsync(Path.Combine(project.Dir, "poster.png")));
    }

    [Fact]
    public async Task Bytes_of_another_kind_are_refused()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);
        using var response = await api.FulfillBytesAsync(request.Id, [1, 2], "audio/mpeg");
        await OdClient.ProblemAsync(response, HttpStatusCode.BadRequest, ErrorCodes.MediaKindMismatch);
        Assert.Empty(Directory.EnumerateFileSystemEntries(project.Dir));
        Assert.Equal(MediaRequestStatuses.Requested, (await api.GetRequestAsync(request.Id)).Status);
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_413_and_leaves_nothing_behind()
    {
        using var app = new OdApp(_dir.Path, settings: new Dictionary<string, string?> { ["Od:MaxUploadBytes"] = "1000" });
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);
        using var response = await api.FulfillBytesAsync(request.Id, new byte[5000], "image/png");
        await OdClient.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, ErrorCodes.PayloadTooLarge);
        Assert.Empty(Directory.EnumerateFileSystemEntries(project.Dir));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_dir.Path, "staging")));
        Assert.Equal(MediaRequestStatuses.Requested, (await api.GetRequestAsync(request.Id)).Status);
    }

    [Fact]
    public async Task A_body_without_a_content_type_is_415()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"/api/media-requests/{request.Id}/fulfill") { Content = new ByteArrayContent(Png) };
        using var response = await api.Http.SendAsync(message);
        await OdClient.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType);
    }

    [Fact]
    public async Task Fulfilling_a_cancelled_request_is_409_and_writes_nothing()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);
        using (var cancel = await api.SendAsync(HttpMethod.Post, $"/api/media-requests/{request.Id}/cancel")) Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        using var response = await api.FulfillBytesAsync(request.Id, Png, "image/png");
        await OdClient.ProblemAsync(response, HttpStatusCode.Conflict, ErrorCodes.MediaRequestTerminal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(project.Dir));
    }

    [Fact]
    public async Task Racing_fulfil_and_cancel_always_have_exactly_one_winner()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        for (var round = 0; round < 40; round++)
        {
            var request = await api.GenerateOkAsync(run.ToolToken, $$"""{"surface":"image","prompt":"p","output":"race-{{round}}.png"}""");
            var fulfil = api.FulfillBytesAsync(request.Id, Png, "image/png");
            var cancel = api.SendAsync(HttpMethod.Post, $"/api/media-requests/{request.Id}/cancel");
            using var a = await fulfil;
            using var b = await cancel;
            var codes = new[] { a.StatusCode, b.StatusCode };
            Assert.Single(codes, HttpStatusCode.OK);
            Assert.Single(codes, HttpStatusCode.Conflict);

            var final = await api.GetRequestAsync(request.Id);
            var fileExists = File.Exists(Path.Combine(project.Dir, $"race-{round}.png"));
            if (a.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal(MediaRequestStatuses.Fulfilled, final.Status);
                Assert.True(fileExists);
            }
            else
            {
                Assert.Equal(MediaRequestStatuses.Cancelled, final.Status);
                Assert.False(fileExists, "a losing fulfil must not leave its file behind");
            }
            Assert.Equal(2, app.Count("events", "data LIKE $id", ("$id", $"%{request.Id}%")));
        }
    }

    [Fact]
    public async Task Fail_records_the_error_and_ends_the_request()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);
        using (var bad = await api.PostJsonAsync($"/api/media-requests/{request.Id}/fail", """{"code":"lower case"}"""))
            await OdClient.ProblemAsync(bad, HttpStatusCode.BadRequest, ErrorCodes.BadRequest);
        using var response = await api.PostJsonAsync($"/api/media-requests/{request.Id}/fail", """{"code":"PROVIDER_DOWN","message":"the provider is down"}""");
        var failed = await OdClient.ReadAsync(response, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
        Assert.Equal(MediaRequestStatuses.Failed, failed.Status);
        Assert.Equal(new MediaRequestError("the provider is down", "PROVIDER_DOWN"), failed.Error);
        using var again = await api.SendAsync(HttpMethod.Post, $"/api/media-requests/{request.Id}/cancel");
        await OdClient.ProblemAsync(again, HttpStatusCode.Conflict, ErrorCodes.MediaRequestTerminal);
    }

    private static string Action(string data) =>
        System.Text.Json.JsonDocument.Parse(data).RootElement.GetProperty("action").GetString()!;

    public void Dispose() => _dir.Dispose();
}
