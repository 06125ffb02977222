async function s(o,t,r){let e=[...o],i=async()=>{for(let n=e.shift();n!==void 0;n=e.shift())await r(n).catch(a=>{throw e.length=0,a})};await Promise.all(Array.from({length:t},i))}export{s as a};
