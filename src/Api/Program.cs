using TaskFlow;
using TaskFlow.Demo;

var builder = WebApplication.CreateBuilder(args);
var demo = builder.Configuration.GetValue("TaskFlow:Demo:Enabled", true);

builder.AddTaskFlow(tf =>
{
    if (demo) tf.AddDemoTasks(builder.Configuration.GetValue("TaskFlow:Demo:HeartbeatSeconds", 0.0));
});
builder.Services.AddOpenApi();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapOpenApi();
app.MapTaskFlowHealth();
app.MapTaskFlow("/tasks");
if (demo) app.MapDemo();
app.Run();

/// <summary>The embedded host's entry point; public so HTTP tests can host it.</summary>
public partial class Program;
