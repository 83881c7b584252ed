namespace OpenDesign.Workflows.Api.Hosting;

public sealed class StartupRefusedException(string message, Exception? inner = null) : Exception(message, inner);
