using TaskFlow;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TaskFlow.Demo;
using TaskFlow.Hosts;
using TaskFlow.Security;

if (args is ["--hash-password", ..])
{
    // A hash for TaskFlow:Dashboard:Users:<name>:PasswordHash, so configuration files need not hold passwords.
    // The password comes from the argument or, to keep it out of shell history, from standard input.
    var password = args.Length > 1 ? args[1] : Console.ReadLine();
    if (string.IsNullOrEmpty(password))
    {
        Console.Error.WriteLine("Usage: --hash-password <password>, or the password on standard input.");
        return 2;
    }
    Console.WriteLine(PasswordHashes.Hash(password));
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
var demo = builder.Configuration.GetValue("TaskFlow:Demo:Enabled", true);

builder.AddTaskFlow(tf =>
{
    // Either storage, as TaskFlow:Storage:Provider says (SQLite by default); a Client-mode node uses PostgreSQL's
    // membership table to find the silos.
    tf.AddSqliteStorage().AddPostgreSqlStorage();
    if (demo) tf.AddDemoTasks(builder.Configuration.GetValue("TaskFlow:Demo:HeartbeatSeconds", 0.0));
});
builder.Services.AddOpenApi();
// OTLP export of traces, metrics and logs when OTEL_EXPORTER_OTLP_ENDPOINT is set; probes make no spans.
builder.AddOtlpExportWhenConfigured("taskflow-api",
    tracing: t => t.AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health")),
    metrics: m => m.AddAspNetCoreInstrumentation());

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
// The OpenAPI document in Development only, as the ASP.NET Core templates do (docs/API.md is the contract).
if (app.Environment.IsDevelopment()) app.MapOpenApi();
app.MapTaskFlowHealth();
app.MapTaskFlow("/tasks");
if (demo) app.MapDemo();
app.Run();
return 0;

/// <summary>The embedded host's entry point; public so HTTP tests can host it.</summary>
public partial class Program;
