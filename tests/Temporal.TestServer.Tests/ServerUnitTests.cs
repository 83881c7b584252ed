using OpenDesign.Workflows.Temporal.TestServer.Visibility;
using Temporalio.Api.Enums.V1;

namespace OpenDesign.Workflows.Temporal.TestServer.Tests;

// The two pieces with their own small languages: the SDK's dev-server command line and the list filter.
public sealed class ServerUnitTests
{
    [Fact]
    public void The_sdk_dev_server_command_line_is_understood_and_unknown_flags_are_ignored()
    {
        var options = DevServerCommandLine.Parse(
        [
            "server", "start-dev", "--port", "40123", "--namespace", "custom", "--ip", "127.0.0.1",
            "--log-format", "pretty", "--log-level", "warn",
            "--dynamic-config-value", "frontend.enableUpdateWorkflowExecution=true",
            "--headless", "--db-filename", "x.db", "--search-attribute", "Color=Keyword",
            "--search-attribute", "Size=Int", "--time-skipping",
        ]);
        Assert.Equal(40123, options.Port);
        Assert.Equal("127.0.0.1", options.Ip);
        Assert.Contains("custom", options.Namespaces);
        Assert.Equal(IndexedValueType.Keyword, options.SearchAttributes["Color"]);
        Assert.Equal(IndexedValueType.Int, options.SearchAttributes["Size"]);
        Assert.True(options.TimeSkipping);
    }

    [Theory]
    [InlineData("OdRunId = 'r1'", true)]
    [InlineData("OdRunId != 'r1'", false)]
    [InlineData("OdRunId IN ('r0', 'r1')", true)]
    [InlineData("OdRunId NOT IN ('r1')", false)]
    [InlineData("OdRunId = 'r1' AND (OdSurface = 'video' OR Size > 3)", true)]
    [InlineData("OdRunId = 'r1' AND NOT Size BETWEEN 1 AND 5", false)]
    [InlineData("OdSurface IS NULL AND OdRunId STARTS_WITH 'r'", false)]
    [InlineData("OdProjectId IS NULL ORDER BY StartTime DESC", true)]
    [InlineData("WorkflowType = 'W' and ExecutionStatus = \"Running\"", true)]
    public void The_list_filter_evaluates_like_temporal_visibility(string query, bool expected)
    {
        var registry = new SearchAttributeRegistry([new("Size", IndexedValueType.Int)]);
        var values = new Dictionary<string, object?>
        {
            ["OdRunId"] = "r1",
            ["OdSurface"] = "image",
            ["Size"] = 4L,
            ["WorkflowType"] = "W",
            ["ExecutionStatus"] = "Running",
        };
        var parsed = VisibilityQuery.Parse(query, registry);
        Assert.Equal(expected, parsed.Matches(name => values.GetValueOrDefault(name)));
    }

    [Theory]
    [InlineData("Unknown = 'x'")]
    [InlineData("OdRunId = ")]
    [InlineData("OdRunId = 'x' AND")]
    [InlineData("Size = 'not a number'")]
    public void Invalid_filters_are_rejected(string query)
    {
        var registry = new SearchAttributeRegistry([new("Size", IndexedValueType.Int)]);
        Assert.Throws<FormatException>(() => VisibilityQuery.Parse(query, registry));
    }
}
