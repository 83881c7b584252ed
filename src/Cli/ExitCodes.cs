namespace OpenDesign.Workflows.Cli;

/// <summary>
/// The process exit codes, a contract with the agents and scripts that call <c>od</c>:
/// agents branch on them, so they never change meaning. Open Design's own CLI uses 2/3/4/5 the same way.
/// </summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>An unexpected failure inside od itself (a bug); never produced on purpose.</summary>
    public const int Internal = 1;

    /// <summary>Bad or unknown flags, missing arguments, unreadable local input; no request was made.</summary>
    public const int Usage = 2;

    /// <summary>The service could not be reached: connection refused, DNS failure, timeout, dropped connection.</summary>
    public const int Unreachable = 3;

    /// <summary>The service answered and refused (any 4xx; a 5xx outside <c>media generate</c>; an unreadable answer).</summary>
    public const int Refused = 4;

    /// <summary>
    /// <c>od media generate</c> and <c>od media wait</c> only: the service could not produce media (a 5xx answer to
    /// generate, or a media task that ended failed).
    /// </summary>
    public const int MediaFailed = 5;

    /// <summary><c>od runs create --follow</c> only: the run ended <c>failed</c> (its agent exited non-zero, timed out, or was lost).</summary>
    public const int RunFailed = 6;

    /// <summary><c>od runs create --follow</c> only: the run was cancelled.</summary>
    public const int RunCanceled = 7;

    /// <summary><c>od media wait</c> only: the task is still running when the wait ends (Open Design's code; the same number as usage).</summary>
    public const int StillRunning = 2;

    /// <summary>Interrupted by the user (Ctrl+C), as shells report SIGINT.</summary>
    public const int Interrupted = 130;

    /// <summary>Appended to every <c>--help</c> page so the codes are discoverable where they are used.</summary>
    public const string HelpText = """
        Exit codes:
          0  ok
          2  usage: bad or unknown flags, missing arguments (no request is made)
          3  service unreachable: connection refused, DNS failure, timeout
          4  refused by the service: any 4xx (the problem's code is printed on stderr),
             or a 5xx from any command other than 'media generate'
          5  media failed: a 5xx answer to 'media generate', or a media task that failed
          6  'runs create --follow': the run ended failed (agent exit code, timeout or reason on stderr)
          7  'runs create --follow': the run was cancelled
          'media wait' exits 2 when the task is still running at the end of the wait;
          'media generate' exits 0 then, printing the task id and the 'media wait' to continue with

        Enabled mode: 'media generate' prints "task <id> queued (<status>)" and progress lines to stderr,
        and ends with one JSON line on stdout: {"file":{...}} when done, {"taskId","status","error"} when
        failed, {"taskId","status","nextSince","elapsed"} when still running after 25 s.

        Environment:
          OD_DAEMON_URL  service URL when --daemon-url is not given (default http://127.0.0.1:7456)
          OD_TOOL_TOKEN  run-scoped tool token; when set (even empty) it is the only credential
                         sent, on every request, and 'media generate' uses the run's tool endpoint
          OD_API_TOKEN   admin bearer token, sent when OD_TOOL_TOKEN is not set
          OD_PROJECT_ID  project for 'media generate' outside a run when --project is not given
        """;
}
