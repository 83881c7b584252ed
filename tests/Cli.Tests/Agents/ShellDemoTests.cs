using System.Diagnostics;

namespace OpenDesign.Workflows.Cli.Tests.Agents;

/// <summary>
/// shell-demo's enabled-mode task flow against a stand-in od: a task still running when generate hands off is followed
/// with <c>od media wait --since</c> until its outcome line, and only a <c>{"file":...}</c> line counts as a file. The
/// stand-in keeps these fast: the real od hands off only after 25 s (the end-to-end row covers the real one).
/// </summary>
public sealed class ShellDemoTests : IDisposable
{
    private const string Running1 = """{"taskId":"mtask_demo","status":"running","nextSince":1,"elapsed":25.0}""";
    private const string Running3 = """{"taskId":"mtask_demo","status":"running","nextSince":3,"elapsed":25.0}""";
    private const string FileLine = """{"file":{"name":"poster-2.png","size":11,"mtime":1764000001000,"kind":"image","mime":"image/png","model":"gpt-image-2","surface":"image","providerId":"openai","sha256":"5eed"}}""";
    private const string FailedLine = """{"taskId":"mtask_demo","status":"failed","error":{"message":"prompt flagged","code":"MEDIA_PROVIDER_REJECTED"}}""";

    // The stand-in od logs each call's arguments and answers with the next scripted step: "<exit code> <stdout line>".
    private const string StubOd = """
        #!/bin/sh
        echo "$*" >> "$STUB_DIR/calls"
        n=$(wc -l < "$STUB_DIR/calls")
        step=$(sed -n "${n}p" "$STUB_DIR/steps")
        echo "# progress before the outcome"
        printf '%s\n' "${step#* }"
        exit "${step%% *}"
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("od-shell-demo-").FullName;

    public static TheoryData<string, string[], int, string[], string> Flows => new()
    {
        // Done within generate's own 25 s: no wait at all.
        { "done at once", ["0 " + FileLine], 0, [], "shell-demo: done: poster-2.png is in the project (PROJECT/poster-2.png), sha256 5eed" },
        // Handed off, still running after one wait (exit 2), done on the next: each wait starts from the last nextSince.
        { "handoff then done", ["0 " + Running1, "2 " + Running3, "0 " + FileLine], 0, ["media wait mtask_demo --since 1", "media wait mtask_demo --since 3"], "shell-demo: done: poster-2.png is in the project (PROJECT/poster-2.png), sha256 5eed" },
        { "handoff then failed", ["0 " + Running1, "5 " + FailedLine], 1, ["media wait mtask_demo --since 1"], "shell-demo: media task mtask_demo failed: prompt flagged; there is no file" },
        // Bounded: SHELL_DEMO_WAIT_TRIES=2 waits, then it stops without claiming a file.
        { "still running after every try", ["0 " + Running1, "2 " + Running3, "2 " + Running3], 1, ["media wait mtask_demo --since 1", "media wait mtask_demo --since 3"], "shell-demo: gave up following mtask_demo: it is still running, so there is no file yet" },
        { "od refused", ["4 "], 4, [], "shell-demo: od media generate failed with exit code 4" },
    };

    [Theory]
    [MemberData(nameof(Flows))]
    public async Task In_enabled_mode_shell_demo_follows_the_task_to_its_outcome_line(string name, string[] steps, int exit, string[] waits, string last)
    {
        Assert.NotEmpty(name);
        File.WriteAllLines(Path.Combine(_dir, "steps"), steps);
        var od = Path.Combine(_dir, "od");
        File.WriteAllText(od, StubOd.Replace("\r", "", StringComparison.Ordinal) + "\n");
        Assert.SkipWhen(OperatingSystem.IsWindows(), "shell-demo is a POSIX sh script");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(od, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var prompt = Path.Combine(_dir, "prompt.md");
        File.WriteAllText(prompt, "## Task\n\nA red fox poster\n\n## Media generation contract (this run: enabled; this section overrides softer wording above)\n\n");

        var start = new ProcessStartInfo(AgentServiceFixture.ShellDemo()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment.Clear();
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            ["OD_BIN"] = od,
            ["OD_PROMPT_FILE"] = prompt,
            ["OD_PROJECT_DIR"] = "PROJECT",
            ["STUB_DIR"] = _dir,
            ["SHELL_DEMO_WAIT_TRIES"] = "2",
        })
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(limit.Token);

        var output = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(exit == process.ExitCode, $"exit {process.ExitCode}\n{string.Join('\n', output)}\n{await stderr}");
        Assert.Equal(last, output[^1]);
        var calls = File.ReadAllLines(Path.Combine(_dir, "calls"));
        Assert.Equal("media generate --surface image --prompt A red fox poster --output poster.png", calls[0]);
        Assert.Equal(waits, calls[1..]);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
