import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
var r=class extends Error{constructor(s,t,e){super(`input "${s}": invalid value ${JSON.stringify(t)}: ${e}`);this.input=s;this.value=t;this.name="InputError"}input;value};function o(n){return n instanceof Error?n.message:String(n)}export{r as a,o as b};
