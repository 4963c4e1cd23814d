/** A model's resource name in Gemini URLs and bodies: `models/<id>`, or the name itself when it has a collection (`tunedModels/…`). */
export function modelResource(model: string): string {
	const name = model.includes("/") ? model : `models/${model}`;
	return name.split("/").map(encodeURIComponent).join("/");
}
