namespace OpenDesign.Workflows.Cli;

/// <summary>Where the service is: <c>--daemon-url</c>, else <c>OD_DAEMON_URL</c>, else the default loopback port (Open Design's order, without its sidecar IPC step).</summary>
internal static class DaemonUrl
{
    public const string Default = "http://127.0.0.1:7456";
    public const string EnvironmentVariable = "OD_DAEMON_URL";

    public static Uri Resolve(string? flag, string? environment)
    {
        // An empty variable is treated as unset (a common result of `OD_DAEMON_URL= od ...`), but an
        // explicitly empty flag is a mistake worth reporting.
        var (value, source) = flag is not null
            ? (flag, "--daemon-url")
            : !string.IsNullOrWhiteSpace(environment) ? (environment, EnvironmentVariable) : (Default, "default");

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw CliException.Usage($"{source} must be an absolute http(s) URL, got '{value}'");
        }

        return uri;
    }
}
